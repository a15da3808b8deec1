#!/usr/bin/env python3
"""The Colab entry of every notebook, generated from one place (`make notebooks`, part of `make export`).

From settings.ini (`user`, `repo`, `branch`; `git_url` is interpolated from them) and one template
(tools/colab_cell.py.tmpl) this writes, into every numbered notebook a student can open:
the "Open in Colab" badge, the install heading + install cell, and Colab's GPU runtime metadata;
into nbs/00_env.ipynb and nbs/index.ipynb (hence README.md) the Colab table (links + free-T4/L4 fit).
A fork changes `user` in settings.ini and runs `make notebooks`.

    python tools/colab.py            # (re)generate; prints the notebooks it changed
    python tools/colab.py --check    # exit 1 if any notebook disagrees with settings.ini or the template
    python tools/colab.py --cell     # print the install cell
"""
import hashlib, importlib.util, json, re, sys
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT/"tools"/"colab_cell.py.tmpl"
BADGE_SVG = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_RE = re.compile(r"\[!\[Open In Colab\]\(" + re.escape(BADGE_SVG) + r"\)\]\([^)\s]*\)")
METADATA = {"accelerator": "GPU", "colab": {"gpuType": "T4", "provenance": []}}
INSTALL_HEADING = "## 설치 (Colab)"
TABLE_HEADING_NB, TABLE_HEADING_README = "## Colab 무료 T4에서 어디까지?", "## Open in Colab"
# Measured by `make test-colab`: the install cell took 30-40 s on the 2-core machine (packages from a local cache,
# so no download time; a real Colab adds the downloads).
SIM_INSTALL_MIN = 1
# What fits a free Colab session (T4 16 GB, ~12 GB RAM, cut after long idle) and what wants a paid L4;
# times are the notebooks' own run-time tables. A notebook missing here gets "see its table".
FIT = {
    "00_env":       ("✅ ~2분", ""),
    "00a_core":     ("✅ 수 초", "GPU 불필요"),
    "00b_model":    ("✅ ~1분", ""),
    "00c_settings": ("✅ 수 초", "GPU 불필요"),
    "00d_files":    ("✅ 수 초", "GPU 불필요"),
    "01_data":      ("✅ < 1분", "GPU 불필요"),
    "01a_prompts":  ("✅ < 1분", "GPU 불필요"),
    "01b_runs":     ("✅ 수 초", "GPU 불필요"),
    "01c_convert":  ("✅ 수 초", "GPU 불필요"),
    "02_train":     ("✅ ~20분 (qwen2.5-7b, 300스텝)", "L4 ~12분"),
    "02a_readout":  ("✅ < 1분", ""),
    "02b_generate": ("✅ 수 분 (qwen2.5-1.5b)", ""),
    "02c_baselines": ("✅ 수 초", "GPU 불필요"),
    "03_scoring":   ("✅ ~15분", "L4 ~10분"),
    "03a_metrics":  ("✅ < 1분", "GPU 불필요"),
    "04_losses":    ("✅ ~40분 (두 번 학습, 창을 열어 두세요)", "L4 ~25분"),
    "04a_merge":    ("✅ 수 분", ""),
    "05_export":    ("✅ ~10분 (qwen2.5-1.5b)", "7B의 병합 비교는 T4에 안 맞음: L4, 또는 `aes-kit merge --bits 4`"),
    "05a_harness":  ("✅ 수 분", ""),
    "06_kmmlu":     ("⚠️ 과목 부분집합 권장", "7B 전체 KMMLU 5-shot은 T4에서 수 시간: L4 권장"),
    "06a_kmmlu_loop": ("✅ 빠른 모드 수 분; 7B는 재학습 60스텝 ~10분", "L4면 전체 과목 루프도 가능"),
    "06b_sampling": ("✅ 수 분", ""),
    "07_consistency": ("⚠️ 에세이 60편 × 50샘플 ~1시간", "L4 ~35분; `N_ESSAYS`, `MAX_M`을 줄이면 T4로 충분"),
    "08_pipeline":  ("⚠️ 데모 ~10분", "4개 모델 스윕 ~2시간: L4 권장 (무료 세션이 끊길 수 있음)"),
    "08a_cli":      ("✅ 수 초", "GPU 불필요"),
}

def settings(root=ROOT)->dict:
    "The repository location from settings.ini (`git_url` interpolated from `user`/`repo`)."
    cfg = ConfigParser(delimiters=["="]); cfg.read(Path(root)/"settings.ini", encoding="utf-8")
    d = cfg["DEFAULT"]
    return dict(user=d["user"], repo=d["repo"], branch=d["branch"], git_url=d["git_url"].rstrip("/"))

def colab_url(nb_name:str, s:dict)->str:
    return f"https://colab.research.google.com/github/{s['user']}/{s['repo']}/blob/{s['branch']}/nbs/{nb_name}"

def badge(nb_name:str, s:dict)->str:
    return f"[![Open In Colab]({BADGE_SVG})]({colab_url(nb_name, s)})"

def _tool_install(root):
    spec = importlib.util.spec_from_file_location("_aes_install", Path(root)/"tools"/"install.py")
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m

def install_cell_source(s:dict|None=None, root=ROOT)->str:
    "The install cell, rendered from the template."
    s = s or settings(root)
    src = (Path(root)/"tools"/TEMPLATE.name).read_text(encoding="utf-8")
    for k, v in dict(git_url=s["git_url"], branch=s["branch"]).items():
        src = src.replace("{{" + k + "}}", v)
    assert "{{" not in src, "unfilled template token"
    return src.rstrip("\n")

def install_heading()->str:
    return (f"{INSTALL_HEADING}\n\n"
            "Colab에서는 아래 셀이 이 키트를 내려받고(`git clone`) 설치 프로그램 `tools/install.py`를 실행합니다 — 로컬의 "
            "`make install`과 같은 프로그램입니다. 먼저 **런타임 → 런타임 유형 변경 → T4 GPU**인지 확인하세요 (배지로 "
            "열면 T4가 골라져 있습니다). Colab에 들어 있는 torch와, 커널이 이미 불러온 패키지(numpy 등)는 버전을 "
            "고정해 건드리지 않습니다. pip의 출력이 그대로 보이므로 실패하면 메시지를 읽고 셀을 다시 실행하면 됩니다. "
            f"처음 한 번은 몇 분 걸리고(모의 Colab 측정 약 {SIM_INSTALL_MIN}분, 실제 Colab은 내려받는 시간이 더해짐) "
            "같은 런타임에서 다시 실행하면 곧바로 끝납니다. 직접 만든 휠(`aes_kit-*.whl`)을 `/content`나 Drive의 "
            "`MyDrive/aes-kit/`에 두면 그 휠을 설치합니다. 로컬·CI에서는 아무것도 하지 않습니다.")

def numbered(root=ROOT)->list[Path]:
    return sorted((Path(root)/"nbs").glob("[0-9]*.ipynb"))

def fit_table(s:dict, root=ROOT)->str:
    "Markdown table: every numbered notebook with its Colab link and what fits a free T4 vs a paid L4."
    rows = ["| 노트북 | Colab | 무료 T4 (free) | L4 (유료, paid)가 나은 경우 |", "|---|---|---|---|"]
    for p in numbered(root):
        t4, l4 = FIT.get(p.stem, ("노트북 안의 표를 보세요", ""))
        rows.append(f"| `{p.stem}` | [열기 (open)]({colab_url(p.name, s)}) | {t4} | {l4} |")
    return "\n".join(rows)

def table_cell(heading:str, s:dict, root=ROOT)->str:
    intro = ("무료 Colab은 보통 T4 (16 GB VRAM, RAM ~12 GB)를 주고, 오래 쉬거나 몇 시간이 지나면 세션이 끊깁니다. "
             "끊겨도 이어 하려면 노트북 02처럼 `use_drive()`로 체크포인트를 Drive에 두세요. "
             f"각 노트북의 첫 코드 셀이 설치를 맡습니다 (처음 한 번, 모의 Colab 측정 약 {SIM_INSTALL_MIN}분).")
    if heading == TABLE_HEADING_README:
        intro = ("Every numbered notebook opens in Colab with a T4 GPU runtime selected; its first code cell installs "
                 f"Unsloth and the kit without touching Colab's torch (first run about {SIM_INSTALL_MIN} min"
                 " in the simulated Colab of `make test-colab`, plus download time). Free Colab usually gives a T4 "
                 "(16 GB) and ends idle or long sessions; `use_drive()` keeps checkpoints on Google Drive.")
    return f"{heading}\n\n{intro}\n\n{fit_table(s, root)}"

def _lines(text:str)->list[str]:
    ls = text.split("\n")
    return [l + "\n" for l in ls[:-1]] + ([ls[-1]] if ls[-1] else [])

def _cell(kind:str, text:str, cid:str)->dict:
    c = {"cell_type": kind, "id": cid, "metadata": {}, "source": _lines(text)}
    if kind == "code": c.update(execution_count=None, outputs=[])
    return c

def _cid(nb_name:str, role:str)->str:
    return hashlib.sha1(f"{nb_name}:{role}".encode()).hexdigest()[:8]

def _src(c)->str: return "".join(c["source"])

def is_install_cell(c)->bool:
    "The install cell: generated, or an older hand-made copy (a code cell that installs in Colab)."
    s = _src(c)
    return c["cell_type"] == "code" and "google.colab" in s and any(k in s for k in ("pip install", "_aes_kit_install",
                                                                                     "tools/install.py"))

def _set(c, text:str)->bool:
    new = _lines(text)
    if c["source"] == new: return False
    c["source"] = new; return True

def _first_code(cells)->int:
    return next((i for i, c in enumerate(cells) if c["cell_type"] == "code"), len(cells))

def update_notebook(nb:dict, nb_name:str, s:dict, root=ROOT)->bool:
    "Bring one notebook's badge, install heading/cell and metadata in line; True when something changed."
    cells, changed = nb["cells"], False
    # 1. the badge: rewrite every badge in markdown; none yet -> a badge cell right after the title
    want = badge(nb_name, s); found = False
    for c in cells:
        if c["cell_type"] == "markdown" and BADGE_RE.search(_src(c)):
            found = True; changed |= _set(c, BADGE_RE.sub(lambda m: want, _src(c)))
    if not found:
        at = 1 if cells and cells[0]["cell_type"] == "markdown" else 0
        cells.insert(at, _cell("markdown", want, _cid(nb_name, "badge")))
        changed = True
    # 2. exactly one install cell, the first code cell, with its heading right above (ids kept when it moves)
    idx = [i for i, c in enumerate(cells) if is_install_cell(c)]
    inst = cells[idx[0]] if idx else _cell("code", "", _cid(nb_name, "install"))
    head = cells[idx[0]-1] if idx and idx[0] and _src(cells[idx[0]-1]).startswith(INSTALL_HEADING) else None
    head = head or _cell("markdown", "", _cid(nb_name, "install-heading"))
    before = [c["id"] for c in cells]
    cells[:] = [c for c in cells if c is not inst and c is not head and not is_install_cell(c)]
    i = _first_code(cells); cells[i:i] = [head, inst]
    changed |= [c["id"] for c in cells] != before
    changed |= _set(head, install_heading()); changed |= _set(inst, install_cell_source(s, root))
    # 3. Colab opens the notebook on a GPU (T4) runtime
    for k, v in METADATA.items():
        if nb["metadata"].get(k) != v: nb["metadata"][k] = json.loads(json.dumps(v)); changed = True
    return changed

def update_table(nb:dict, heading:str, after, s:dict, nb_name:str, root=ROOT)->bool:
    "Keep the generated Colab table cell (found by its heading) up to date; insert it after cell index `after(cells)`."
    text = table_cell(heading, s, root)
    for c in nb["cells"]:
        if c["cell_type"] == "markdown" and _src(c).startswith(heading + "\n"): return _set(c, text)
    nb["cells"].insert(after(nb["cells"]) + 1, _cell("markdown", text, _cid(nb_name, "colab-table")))
    return True

def _after_install(cells)->int: return next(i for i, c in enumerate(cells) if is_install_cell(c))
def _after_course(cells)->int:
    return next((i for i, c in enumerate(cells) if "## 강의 지도" in _src(c)), len(cells) - 1)

def dump(nb:dict)->str: return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"

def generate(root=ROOT, write:bool=True)->list[Path]:
    "Regenerate every Colab artifact; return the notebooks that changed (written unless `write=False`)."
    s, out = settings(root), []
    targets = [(p, "nb") for p in numbered(root)] + [(Path(root)/"nbs"/"index.ipynb", "index")]
    for p, kind in targets:
        if not p.exists(): continue
        nb = json.loads(p.read_text(encoding="utf-8"))
        if kind == "nb": ch = update_notebook(nb, p.name, s, root)
        else: ch = update_table(nb, TABLE_HEADING_README, _after_course, s, p.name, root)
        if p.name == "00_env.ipynb": ch |= update_table(nb, TABLE_HEADING_NB, _after_install, s, p.name, root)
        if ch or dump(nb) != p.read_text(encoding="utf-8"):
            out.append(p)
            if write: p.write_text(dump(nb), encoding="utf-8")
    return out

def check_settings(s:dict)->list[str]:
    "Problems in the repository location itself (git_url must be the GitHub address of user/repo)."
    want = f"https://github.com/{s['user']}/{s['repo']}"
    return [] if s["git_url"] == want else [f"settings.ini: git_url is {s['git_url']!r}, expected {want!r}"]

if __name__ == "__main__":
    if "--cell" in sys.argv: print(install_cell_source()); sys.exit(0)
    probs = check_settings(settings())
    if probs: sys.exit("\n".join(probs))
    changed = generate(write="--check" not in sys.argv)
    if "--check" in sys.argv and changed:
        sys.exit("Colab cells out of date with settings.ini / tools/colab_cell.py.tmpl in: "
                 + ", ".join(p.name for p in changed) + " (run `make notebooks` and commit)")
    for p in changed: print(f"colab: updated {p.relative_to(ROOT)}")
