"""Run a command and fail if it changed any file under the given paths: `python tools/unchanged.py nbs -- nbdev_clean`.

`make check-clean` / `check-sync` use it, so they compare the files before and after the tool runs: a clean tree passes
with uncommitted work in it too (CI runs them on a fresh clone, where that is the same as comparing against git)."""
import hashlib, subprocess, sys
from pathlib import Path

def snapshot(roots:list[str])->dict:
    "path -> sha1 of every file under `roots` (caches and hidden files skipped)."
    out = {}
    for r in roots:
        for p in sorted(Path(r).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and not any(s.startswith(".") for s in p.parts):
                out[str(p)] = hashlib.sha1(p.read_bytes()).hexdigest()
    return out

def main(argv:list[str])->int:
    if "--" not in argv: sys.exit("usage: unchanged.py PATH... -- COMMAND [ARGS]")
    i = argv.index("--"); roots, cmd = argv[:i], argv[i + 1:]
    before = snapshot(roots)
    rc = subprocess.run(cmd).returncode
    if rc: return rc
    after = snapshot(roots)
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    for p in changed: print(f"  changed: {p}")
    return 1 if changed else 0

if __name__ == "__main__": sys.exit(main(sys.argv[1:]))
