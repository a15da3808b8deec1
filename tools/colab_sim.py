#!/usr/bin/env python3
"""`make test-colab`: every notebook, top to bottom, in a simulated Colab built from Colab's own package set.

1. Colab's Python and packages: a venv of Python 3.13 (Colab's since 2026-08; this machine's Python if none is found)
   holding Colab's versions (tools/colab_env/colab-constraints.txt, from googlecolab/backend-info) of the packages
   a notebook meets before the install cell: torch 2.11.0 + its family, transformers 5.15, peft 0.20, torchao 0.10,
   numpy 2.1.3, pyarrow, ipykernel, nbclient ... Built once per machine and kept in ~/.cache/aes-kit/ (a few
   minutes and ~6 GB the first time); each run starts from a hard-linked copy, so the cached one stays Colab's.
2. The install cell's pip steps resolved for Colab's Python (`pip install --dry-run --python-version 3.13
   --only-binary=:all:` under Colab's torch and numpy): anything without a wheel for that Python fails here.
3. This checkout (HEAD + tracked changes) published as a git repository standing in for GitHub, and cloned half-way
   into /content/aes-kit (an earlier attempt that stopped after cloning: the first install cell must finish it).
4. A stand-in `google.colab` (drive.mount onto a folder that outlives each notebook like a real Drive; userdata with a
   stored HF_TOKEN secret) imported at kernel start after numpy, as Colab does. `COLAB_RELEASE_TAG` is set.
5. Every numbered and lettered notebook in course order, as published, one fresh kernel each (nbclient,
   tools/colab_run.py), in the `smoke` profile on the tiny-model Hub fixture, running every cell as Colab does
   (`#| eval: false` included). The install is a GPU runtime's (`AES_KIT_ASSUME_GPU`), since the smoke profile stands
   in for a T4's full-size run (the embedded model is installed too, as everywhere: the library notebooks use it).
   A deliberately broken notebook (a dev-only import) runs right after the first and must fail.
6. Checks: the first install cell installs and the later ones find it done; torch's files are untouched; the secret
   never appears in any output; `aes-kit env` passes.

    python tools/colab_sim.py [--keep] [--only 00_env,03_scoring] [--no-dry-run]
"""
import argparse, hashlib, json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colab, install  # noqa: E402  (tools/colab.py: the notebook cell; tools/install.py: the installer)

ROOT = colab.ROOT
ENV_DIR = ROOT/"tools"/"colab_env"
COLAB_CONSTRAINTS = ENV_DIR/"colab-constraints.txt"
COLAB_PYTHON = "3.13"
# What Colab has before the install cell and a notebook may meet: installed at Colab's versions (the constraints).
COLAB_BASE = ["torch", "torchvision", "torchaudio", "triton", "torchao", "transformers", "peft", "accelerate",
              "datasets", "huggingface_hub", "tokenizers", "safetensors", "numpy", "pyarrow", "fsspec", "sentencepiece",
              "protobuf",
              "pandas", "matplotlib", "scikit-learn", "scipy", "nltk", "tqdm", "pyyaml", "psutil", "requests", "pillow",
              "rich", "pydantic", "typer", "click", "einops", "regex", "packaging", "setuptools", "wheel",
              "ipykernel", "ipython", "ipywidgets", "nbclient", "nbformat", "jupyter_client"]
# Imported by Colab's kernel before the first cell (and by the stand-in at kernel start).
PRELOADED = ("numpy",)
SECRET = "hf_SIMULATED_colab_secret_do_not_print"
OFFLINE = dict(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
BROKEN = "import nbdev  # a dev-only package: the install cell does not install it, so Colab stops here"
COLAB_STANDIN = {
    "__init__.py": '"Stand-in for Colab\'s google.colab (tools/colab_sim.py): its presence means Colab."\n'
                   "from . import drive, userdata  # noqa: F401\n",
    "drive.py": '''"Stand-in for google.colab.drive: the mount point leads to a folder that outlives the runtime."
import os
def mount(mountpoint, force_remount=False, timeout_ms=120000, readonly=False):
    store = os.environ["COLAB_SIM_DRIVE"]
    os.makedirs(store, exist_ok=True); os.makedirs(mountpoint, exist_ok=True)
    link = os.path.join(mountpoint, "MyDrive")
    if not os.path.lexists(link): os.symlink(store, link)
    print(f"Mounted at {mountpoint}")
''',
    "userdata.py": '''"Stand-in for google.colab.userdata: the secrets a student stored (HF_TOKEN)."
import os
class SecretNotFoundError(Exception): pass
class NotebookAccessError(Exception): pass
def get(key):
    v = os.environ.get("COLAB_SIM_SECRET_" + key)
    if v is None: raise SecretNotFoundError(f"Secret {key} does not exist.")
    return v
''',
}
STARTUP = "import " + ", ".join(PRELOADED) + "  # Colab imports these before the first cell\nimport google.colab\n"
TORCH_SIG = r"""
import hashlib, json, os, importlib.metadata as md
d = md.distribution("torch"); rec = d.read_text("RECORD")
files = sorted(l.split(",")[0] for l in rec.splitlines() if l)
st = [os.stat(d.locate_file(f)) for f in files if os.path.exists(d.locate_file(f))]
h = hashlib.sha256(rec.encode())
for s in st: h.update(f"{s.st_size}:{s.st_ino}:{s.st_mtime_ns};".encode())
print(json.dumps(dict(version=d.version, files=len(st), files_sha=h.hexdigest()[:16])))
"""

def say(msg): print(f"[test-colab] {msg}", flush=True)

def fail(msg): sys.exit(f"[test-colab] FAILED: {msg}")

def run(cmd, env=None, cwd=None, prefix="  | ", check=True)->tuple[int, str]:
    "Run `cmd`, streaming its output with `prefix`; return (exit code, output)."
    p = subprocess.Popen(list(map(str, cmd)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                         cwd=cwd)
    out = []
    for line in p.stdout:
        out.append(line)
        if "is ignored: it is neither a file nor a directory" not in line: print(prefix + line, end="", flush=True)
    rc = p.wait()
    if check and rc: fail(f"{' '.join(map(str, cmd))} exited {rc}")
    return rc, "".join(out)

def cache_dir()->Path:
    "Where the base venv and built wheels are kept between runs: `AES_KIT_COLAB_CACHE`, else ~/.cache/aes-kit."
    return Path(os.environ.get("AES_KIT_COLAB_CACHE", "~/.cache/aes-kit")).expanduser()

def colab_python()->str:
    "Python 3.13 as Colab has it: AES_KIT_COLAB_PYTHON, python3.13 on PATH, a pyenv 3.13; else this Python."
    cands = [os.environ.get("AES_KIT_COLAB_PYTHON"), shutil.which(f"python{COLAB_PYTHON}")]
    cands += sorted(map(str, Path("~/.pyenv/versions").expanduser().glob(f"{COLAB_PYTHON}*/bin/python")))
    for c in cands:   # a pyenv shim exists for every version but runs only the active one: try each
        if c and subprocess.run([c, "-c", "import venv"], capture_output=True).returncode == 0: return c
    say(f"no Python {COLAB_PYTHON} here: the simulated Colab uses {sys.version.split()[0]} instead")
    return sys.executable

def colab_pins()->dict[str, str]:
    "Colab's versions from the published package list (canonical name -> version)."
    lines = [l.strip() for l in COLAB_CONSTRAINTS.read_text().splitlines() if l.strip() and not l.startswith("#")]
    return {install.canon(l.split("==")[0]): l.split("==")[1] for l in lines}

def base_venv(py:str)->Path:
    "The cached venv holding Colab's packages (built once per machine, under a lock; keyed by what defines it)."
    import fcntl
    pyver = subprocess.check_output([py, "-c", "import sys; print(sys.version.split()[0])"], text=True).strip()
    key = hashlib.sha256(json.dumps([pyver, COLAB_BASE, COLAB_CONSTRAINTS.read_text()]).encode()).hexdigest()[:12]
    cache = cache_dir()
    base = cache/f"colab-base-py{pyver}-{key}"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache/".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (base/".complete").exists(): return base
        shutil.rmtree(base, ignore_errors=True)
        say(f"building the Colab base venv once ({base}; several GB, a few minutes)")
        t0 = time.time()
        run([py, "-m", "venv", base])
        run([base/"bin"/"python", "-m", "pip", "install", "-q", "--disable-pip-version-check",
             "-c", COLAB_CONSTRAINTS, *COLAB_BASE])
        for old in cache.glob("colab-base-*"):          # earlier definitions of the base are of no further use
            if old != base: shutil.rmtree(old, ignore_errors=True)
        (base/".complete").write_text(f"{time.time()-t0:.0f}s\n")
    return base

# Published as source only and pure Python (a `py3-none-any` wheel builds anywhere, Colab included): built here
# once (cached), checked to be pure Python, and offered to the wheels-only resolution as local wheels.
PURE_SDISTS = ("rouge-score", "kiwipiepy-model")

def pure_sdist_wheels()->Path:
    "A folder of pure-Python wheels built from the sdist-only requirements; fails if one is not pure Python."
    d = cache_dir()/"sdist-wheels"
    d.mkdir(parents=True, exist_ok=True)
    for req in PURE_SDISTS:
        stem = install.canon(req).replace("-", "_")
        if not list(d.glob(f"{stem}-*.whl")):
            run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-binary", ":all:", "-w", d, req],
                prefix="    ")
        for whl in d.glob(f"{stem}-*.whl"):
            if not whl.name.endswith("-py3-none-any.whl"): fail(f"{req} builds {whl.name}, not a pure-Python wheel")
    return d

def dry_run_colab(tmp:Path, py:str):
    "Resolve the install cell's pip steps for Colab's Python, binary wheels only, under Colab's torch and numpy."
    pins = colab_pins()
    held = [f"{n}=={pins[n]}" for n in (*install.TORCH_FAMILY, *PRELOADED) if n in pins]
    plan = install.colab_plan({install.canon(h.split("==")[0]): h.split("==")[1] for h in held})
    cons = tmp/"dry-constraints.txt"; cons.write_text("\n".join(plan["constraints"]) + "\n")
    kit_reqs = install.read_settings(dev=False)
    fix = install.torchao_fix(pins.get("torch"), pins.get("torchao"))
    common = [sys.executable, "-m", "pip", "install", "--dry-run", "-q", "--disable-pip-version-check",
              "--python-version", COLAB_PYTHON, "--only-binary=:all:", "--ignore-installed", "-c", cons,
              "--find-links", pure_sdist_wheels()]
    for i, (what, args) in enumerate((("no-deps step", ["--no-deps", *plan["nodeps"]]),
                                      ("kit + deps step", [*kit_reqs, *plan["deps"], *([fix] if fix and fix !=
                                                                                        "uninstall" else [])]))):
        rc, out = run([*common, "--target", tmp/f"dry{i}", *args], check=False, prefix="    ")
        if rc: fail(f"the install cell's {what} does not resolve for Python {COLAB_PYTHON} with wheels only "
                    "(see pip's message above)")
    say(f"    both pip steps resolve for Python {COLAB_PYTHON} (wheels only, but the pure-Python sdists "
        f"{', '.join(PURE_SDISTS)}; torch {pins['torch']}, numpy {pins['numpy']} held; torchao: {fix or 'kept'})")

def git(*args): return subprocess.check_output(["git", "-C", str(ROOT), *args], text=True).strip()

def publish(dest:Path, branch:str)->str:
    "This checkout (HEAD + tracked changes) as branch `branch` of a bare repo at `dest`; return its file:// URL."
    commit = git("stash", "create") or git("rev-parse", "HEAD")
    subprocess.check_call(["git", "init", "-q", "--bare", str(dest)])
    subprocess.check_call(["git", "-C", str(ROOT), "push", "-q", str(dest), f"{commit}:refs/heads/{branch}"])
    subprocess.check_call(["git", "--git-dir", str(dest), "symbolic-ref", "HEAD", f"refs/heads/{branch}"])
    return dest.as_uri()

def work_dir()->Path:
    "`AES_KIT_SIM_DIR`, else the base venv's file system (hard links need it), else the default temporary folder."
    d = os.environ.get("AES_KIT_SIM_DIR") or cache_dir()
    Path(d).mkdir(parents=True, exist_ok=True)
    return Path(d)

def runtime_venv(base:Path, dest:Path)->Path:
    "A copy of the base venv that costs nothing (hard links: pip replaces files, never edits them) + google.colab."
    subprocess.check_call(["cp", "-al", str(base), str(dest)])
    site = next(dest.glob("lib/python*/site-packages"))
    pkg = site/"google"/"colab"; pkg.mkdir(parents=True)
    for name, text in COLAB_STANDIN.items(): (pkg/name).write_text(text)
    return dest

def notebooks(only:list[str]|None)->list[Path]:
    "Every numbered and lettered notebook, in course order."
    nbs = sorted((ROOT/"nbs").glob("[0-9]*.ipynb"))
    return [p for p in nbs if not only or p.stem in only]

def broken_notebook(dest:Path, first:Path)->Path:
    "A copy of the first notebook cut after its install cell, then a dev-only import: Colab must stop there."
    nb = json.loads(first.read_text(encoding="utf-8"))
    i = next(i for i, c in enumerate(nb["cells"]) if colab.is_install_cell(c))
    nb["cells"] = nb["cells"][:i+1] + [colab._cell("code", BROKEN, "broken")]
    dest.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return dest

def outputs_text(nb_path:Path)->str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    parts = []
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            parts.append(o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"]))
            for v in o.get("data", {}).values(): parts.append(v if isinstance(v, str) else json.dumps(v))
            parts += o.get("traceback", []) + [o.get("evalue", "")]
    return "\n".join(parts)

def install_output(nb_path:Path)->str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    c = next(c for c in nb["cells"] if colab.is_install_cell(c))
    return "".join(o.get("text", "") if isinstance(o.get("text", ""), str) else "".join(o["text"])
                   for o in c.get("outputs", []))

def main(keep:bool=False, only:list[str]|None=None, dry:bool=True)->int:
    t_all = time.time()
    py = colab_python()
    base = base_venv(py)
    tmp = Path(tempfile.mkdtemp(prefix="aes-kit-colab-", dir=work_dir()))
    failures, times = [], {}
    try:
        s = colab.settings()
        if dry:
            say(f"1/5 the install cell's pip steps, resolved for Colab's Python {COLAB_PYTHON}")
            dry_run_colab(tmp, py)
        venv = runtime_venv(base, tmp/"venv")
        vpy = venv/"bin"/"python"
        say(f"2/5 Colab runtime: {base.name} (hard-linked into {venv})")
        torch_before = json.loads(run([vpy, "-c", TORCH_SIG], prefix="    torch: ")[1].strip().splitlines()[-1])
        url = publish(tmp/"origin.git", s["branch"])
        content, drive, ipy = tmp/"content", tmp/"drive-store", tmp/"ipython"
        home = content/"aes-kit"
        content.mkdir(); (tmp/"tmp").mkdir()
        subprocess.check_call(["git", "clone", "-q", url, str(home)])   # an earlier attempt that stopped after cloning
        (ipy/"profile_default"/"startup").mkdir(parents=True)
        (ipy/"profile_default"/"startup"/"00-colab.py").write_text(STARTUP)
        (tmp/"tmp"/"cache").mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AES_KIT_", "VIRTUAL_ENV", "PYTHON", "IN_TEST",
                                                                         "HF_", "JUPYTER", "IPYTHON"))}
        env |= OFFLINE | {"PATH": f"{venv/'bin'}:{os.environ['PATH']}", "VIRTUAL_ENV": str(venv),
                          "AES_KIT_GIT": url, "AES_KIT_REF": s["branch"], "AES_KIT_HOME": str(home),
                          "AES_KIT_PROFILE": "smoke", "AES_KIT_MAX_LIVE_MODELS": "1", "AES_KIT_ASSUME_GPU": "1",
                          "AES_KIT_DRIVE_MOUNT": str(content/"drive"), "HF_HOME": str(ROOT/"checkpoints"/"_tiny_hub"),
                          "IPYTHONDIR": str(ipy), "COLAB_RELEASE_TAG": "simulated", "COLAB_SIM_DRIVE": str(drive),
                          "COLAB_SIM_SECRET_HF_TOKEN": SECRET, "PYDEVD_DISABLE_FILE_VALIDATION": "1",
                          "TMPDIR": str(tmp/"tmp"), "XDG_CACHE_HOME": str(tmp/"tmp"/"cache")}
        runner = tmp/"colab_run.py"; shutil.copy(ROOT/"tools"/"colab_run.py", runner)
        nbs = notebooks(only)
        say(f"3/5 {len(nbs)} notebooks, one kernel each, every cell as Colab runs it (smoke profile, tiny Hub models)")
        out_dir = tmp/"executed"; out_dir.mkdir()
        for i, nb in enumerate(nbs):
            t0 = time.time()
            say(f"  {nb.name}")
            rc, _ = run([vpy, runner, home/"nbs"/nb.name, out_dir/nb.name], env=env, cwd=content, check=False,
                        prefix="    ")    # the notebook as Colab opens it: from the published repository
            times[nb.stem] = time.time() - t0
            if rc: failures.append(nb.stem)
            if i == 0:
                if "설치 완료" not in install_output(out_dir/nb.name): fail("the first install cell did not install")
                bad = broken_notebook(tmp/"broken.ipynb", home/"nbs"/nb.name)
                say("  a deliberately broken notebook (a dev-only import after the install cell): it must fail")
                rc, out = run([vpy, runner, bad, out_dir/"broken.ipynb"], env=env, cwd=content, check=False,
                              prefix="    ")
                if rc == 0 or "ModuleNotFoundError" not in out: fail("the broken notebook did not stop the run")
                if "이미 설치됨" not in install_output(out_dir/"broken.ipynb"):
                    fail("a later install cell did not find the install done")
        say("4/5 checks")
        leaks = [p.stem for p in out_dir.glob("*.ipynb") if SECRET in outputs_text(p)]
        if leaks: failures.append("HF token printed in: " + ", ".join(leaks))
        torch_after = json.loads(run([vpy, "-c", TORCH_SIG], prefix="    torch: ")[1].strip().splitlines()[-1])
        if torch_after != torch_before: failures.append(f"torch changed: {torch_before} -> {torch_after}")
        else: say(f"    torch untouched: {torch_after['version']}, {torch_after['files']} files identical")
        rc, _ = run([venv/"bin"/"aes-kit", "env"], env=env, cwd=content, check=False, prefix="    ")
        if rc: failures.append("aes-kit env failed")
        say("5/5 summary")
        for k, v in times.items(): say(f"    {k:<16} {v:6.0f}s  {'FAILED' if k in failures else 'ok'}")
        say(f"    whole simulation {time.time()-t_all:.0f}s")
        if failures: fail("; ".join(failures))
        say("OK: every notebook ran top to bottom in the simulated Colab")
        return 0
    finally:
        if keep: say(f"kept {tmp}")
        else: shutil.rmtree(tmp, ignore_errors=True)

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="leave the temporary folder (venv, /content, outputs)")
    ap.add_argument("--only", default=None, help="comma-separated notebook names (default: all)")
    ap.add_argument("--no-dry-run", dest="dry", action="store_false", help="skip the Python 3.13 resolution")
    a = ap.parse_args()
    sys.exit(main(a.keep, a.only.split(",") if a.only else None, a.dry))
