#!/usr/bin/env python3
"""Render nbs/index.ipynb into README.md without Quarto (nbdev_readme needs it): markdown cells verbatim,
code cells as ```python fences. `--check` exits 1 when README.md is out of date."""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def render(nb_path=ROOT/"nbs"/"index.ipynb")->str:
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    parts = ["<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook, then `make readme` -->"]
    for c in nb["cells"]:
        src = "".join(c["source"]).strip()
        if not src or src.startswith("#| hide"): continue
        parts.append(src if c["cell_type"] == "markdown" else f"```python\n{src}\n```")
    return "\n\n".join(parts) + "\n"

if __name__ == "__main__":
    text, out = render(), ROOT/"README.md"
    if "--check" in sys.argv:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `make readme` and commit")
    else: out.write_text(text, encoding="utf-8")
