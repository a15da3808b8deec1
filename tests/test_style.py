"""The library reads like its anchors: small functions, short lines, no unused imports (the checks of `make lint`)."""
import ast, json, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB = sorted(p for p in (ROOT/"aes_kit").glob("*.py") if p.name != "_modidx.py")


def test_no_exported_function_is_longer_than_60_lines():
    long = [f"{p.name}:{n.name} ({n.end_lineno - n.lineno + 1} lines)" for p in LIB
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > 60]
    assert not long, long


def test_no_code_line_is_longer_than_120_characters():
    "Notebook code cells (the library's source), tests, tools and benchmarks; nbdev's generated headers are not code."
    long = []
    for nb in sorted((ROOT/"nbs").glob("*.ipynb")):
        for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]:
            if c["cell_type"] == "code":
                long += [f"{nb.name}:{c.get('id')}" for line in "".join(c["source"]).splitlines() if len(line) > 120]
    for d in ("tests", "tools"):
        for p in sorted((ROOT/d).glob("*.py")):
            long += [f"{d}/{p.name}:{i}" for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                     if len(line) > 120]
    assert not long, long


def test_ruff_is_clean():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "aes_kit", "tests", "tools", "bench"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-1000:]
