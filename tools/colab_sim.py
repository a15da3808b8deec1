#!/usr/bin/env python3
"""`make test-colab`: run the notebooks' install cell in a simulated Colab and check that it keeps torch.

1. A fresh venv (no system site-packages) holding a Colab-like stack: torch 2.13.0 (the CPU build on disk stands in
   for Colab's CUDA torch) and a transformers newer than the kit's pin.
2. This checkout published as a local git repository (HEAD plus tracked changes), standing in for GitHub.
3. The install cell exactly as the notebooks hold it (tests/test_colab.py checks they all hold the same one), run
   with a stand-in `google.colab` module and AES_KIT_GIT/AES_KIT_REF/AES_KIT_HOME pointing at (2) and a fake
   /content: first over a half-finished earlier attempt (it must redo it), then again (it must skip).
4. Checks: torch has the same version and the same files; `import aes_kit, unsloth, fastcore, ntloss` works;
   `aes-kit env` passes; the sample data a notebook reads is found. Prints the install's wall time.

    python tools/colab_sim.py [--keep]     # --keep: leave the temporary folder for a look
"""
import json, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colab  # noqa: E402  (tools/colab.py: settings and the notebook cell)

ROOT = colab.ROOT
TORCH = colab._tool_install(ROOT).TORCH_CPU
NEWER_TRANSFORMERS = "transformers>" + next(p for p in colab.pins()[1] if p.startswith("transformers==")).split("==")[1]
OFFLINE = dict(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1", OMP_NUM_THREADS="1",
               TOKENIZERS_PARALLELISM="false")
# torch's identity: its RECORD and every file it lists (size, inode, mtime): a reinstall changes them
TORCH_SIG = r"""
import hashlib, json, os, importlib.metadata as md
d = md.distribution("torch"); rec = d.read_text("RECORD")
files = sorted(l.split(",")[0] for l in rec.splitlines() if l)
st = [os.stat(d.locate_file(f)) for f in files if os.path.exists(d.locate_file(f))]
h = hashlib.sha256(rec.encode())
for s in st: h.update(f"{s.st_size}:{s.st_ino}:{s.st_mtime_ns};".encode())
print(json.dumps(dict(version=d.version, files=len(st), record_sha=hashlib.sha256(rec.encode()).hexdigest()[:16],
                      files_sha=h.hexdigest()[:16])))
"""
CHECK_IMPORTS = r"""
import importlib.metadata as md, aes_kit, unsloth, fastcore, ntloss
from aes_kit.core import data_dir, project_root
from aes_kit.data import load_essays
rows = load_essays(data_dir()/"aes_sample"/"train.jsonl")
print(f"imports ok: aes_kit {aes_kit.__version__}, unsloth {md.version('unsloth')}, fastcore {fastcore.__version__}, "
      f"ntloss {md.version('ntloss')}, transformers {md.version('transformers')}")
print(f"data ok: {len(rows)} training essays in {data_dir()} (project root {project_root()})")
"""

def say(msg): print(f"[test-colab] {msg}", flush=True)

def run(cmd, env=None, cwd=None, prefix="  | ", check=True)->tuple[int, str]:
    "Run `cmd`, streaming its output with `prefix`; return (exit code, output)."
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=cwd)
    out = []
    for line in p.stdout:
        out.append(line)
        if "is ignored: it is neither a file nor a directory" not in line: print(prefix + line, end="", flush=True)
    rc = p.wait()
    if check and rc: sys.exit(f"[test-colab] FAILED: {' '.join(map(str, cmd))} exited {rc}")
    return rc, "".join(out)

def git(*args): return subprocess.check_output(["git", "-C", str(ROOT), *args], text=True).strip()

def publish(dest:Path, branch:str)->str:
    "This checkout (HEAD + tracked changes) as branch `branch` of a bare repo at `dest`; return its file:// URL."
    commit = git("stash", "create") or git("rev-parse", "HEAD")
    subprocess.check_call(["git", "init", "-q", "--bare", str(dest)])
    subprocess.check_call(["git", "-C", str(ROOT), "push", "-q", str(dest), f"{commit}:refs/heads/{branch}"])
    subprocess.check_call(["git", "--git-dir", str(dest), "symbolic-ref", "HEAD", f"refs/heads/{branch}"])
    return dest.as_uri()

def work_dir()->str|None:
    "`AES_KIT_SIM_DIR`, else RAM-backed /dev/shm when it has room (~2 GB used; deleting 30k files from a disk mounted "
    "with `discard` took 2.5 min here), else the default temporary folder."
    if os.environ.get("AES_KIT_SIM_DIR"): return os.environ["AES_KIT_SIM_DIR"]
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and shutil.disk_usage(shm).free > 6*2**30 and os.access(shm, os.W_OK) else None

def main(keep:bool=False)->int:
    t_all = time.time()
    tmp = Path(tempfile.mkdtemp(prefix="aes-kit-colab-", dir=work_dir()))
    try:
        s = colab.settings()
        venv, content, fake = tmp/"venv", tmp/"content", tmp/"fake-colab"
        py = venv/"bin"/"python"
        say(f"1/4 Colab-like venv: {TORCH}, {NEWER_TRANSFORMERS} (in {tmp})")
        t0 = time.time()
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
        run([py, "-m", "pip", "install", "-q", TORCH, NEWER_TRANSFORMERS])
        pre = run([py, "-c", "import importlib.metadata as m; print(m.version('torch'), m.version('transformers'))"],
                  prefix="    ")[1].split()
        say(f"    venv ready in {time.time()-t0:.0f}s: torch {pre[-2]}, transformers {pre[-1]}")
        torch_before = json.loads(run([py, "-c", TORCH_SIG], prefix="    torch: ")[1].strip().splitlines()[-1])

        say(f"2/4 the kit as a git repository (branch {s['branch']}) instead of {s['git_url']}")
        url = publish(tmp/"origin.git", s["branch"])
        (fake/"google"/"colab").mkdir(parents=True)
        (fake/"google"/"__init__.py").write_text("")
        (fake/"google"/"colab"/"__init__.py").write_text('"Stand-in for Colab\'s module: its presence means Colab."\n')
        content.mkdir()
        home = content/"aes-kit"
        subprocess.check_call(["git", "clone", "-q", url, str(home)])  # an earlier attempt that stopped after cloning
        cell = tmp/"install_cell.py"
        cell.write_text(colab._src(next(c for c in json.loads((ROOT/"nbs"/"00_env.ipynb").read_text("utf-8"))["cells"]
                                        if colab.is_install_cell(c))), encoding="utf-8")
        (tmp/"tmp").mkdir()
        env = {**os.environ, "PYTHONPATH": str(fake), "AES_KIT_GIT": url, "AES_KIT_REF": s["branch"],
               "AES_KIT_HOME": str(home), "VIRTUAL_ENV": str(venv), "PATH": f"{venv/'bin'}:{os.environ['PATH']}",
               "TMPDIR": str(tmp/"tmp")}
        env.pop("AES_KIT_ROOT", None)
        runner = ["-c", "import google.colab, sys; sys.argv = ['install-cell']; "
                        f"exec(compile(open({str(cell)!r}, encoding='utf-8').read(), 'install cell', 'exec'))"]

        say("3/4 the notebooks' install cell, over a half-finished earlier attempt")
        t0 = time.time(); _, out = run([py, *runner], env=env, cwd=content); t_install = time.time() - t0
        if "설치 완료" not in out: sys.exit("[test-colab] FAILED: the cell skipped a half-finished install")
        say(f"    install cell: {t_install:.0f}s wall time")
        t0 = time.time(); _, out2 = run([py, *runner], env=env, cwd=content); t_again = time.time() - t0
        if "이미 설치됨" not in out2: sys.exit("[test-colab] FAILED: the second run did not skip the finished install")
        say(f"    second run: {t_again:.1f}s (skipped: already installed)")

        say("4/4 checks")
        torch_after = json.loads(run([py, "-c", TORCH_SIG], prefix="    torch: ")[1].strip().splitlines()[-1])
        if torch_after != torch_before:
            sys.exit(f"[test-colab] FAILED: torch changed\n  before {torch_before}\n  after  {torch_after}")
        say(f"    torch untouched: {torch_after['version']}, {torch_after['files']} files identical")
        chk = {k: v for k, v in env.items() if k not in ("PYTHONPATH", "AES_KIT_ROOT")} | OFFLINE
        run([py, "-c", CHECK_IMPORTS], env=chk, cwd=content)
        run([str(venv/"bin"/"aes-kit"), "env"], env=chk, cwd=content)
        say(f"OK: install {t_install:.0f}s, rerun {t_again:.1f}s, whole simulation {time.time()-t_all:.0f}s")
        return 0
    finally:
        if keep: say(f"kept {tmp}")
        else:
            t0 = time.time(); shutil.rmtree(tmp, ignore_errors=True); say(f"removed {tmp} in {time.time()-t0:.0f}s")

if __name__ == "__main__":
    sys.exit(main(keep="--keep" in sys.argv))
