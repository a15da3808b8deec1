"Every lesson's exercise starts unsolved, is graded by `aes_kit.core.grade`, and accepts its solution file only."
import ast, contextlib, importlib, io, json, re
from collections import defaultdict
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT/"nbs"
SOLUTIONS = NBS/"solutions"
NOTEBOOKS = sorted(NBS.glob("[0-9]*.ipynb"))
# `x = ...`, `return None`, `dict(a=...)`, `[..., ...]`
PLACEHOLDER = re.compile(r"(=|return|\[|\(|,|:)\s*(\.\.\.|None\b)")


def _cells(nb:Path)->list[dict]: return json.loads(nb.read_text(encoding="utf-8"))["cells"]
def _src(c:dict)->str: return "".join(c["source"])


def exercise_section(nb:Path)->list[dict]:
    "The cells from the '## 연습 …' heading to the next '## ' heading."
    out, on = [], False
    for c in _cells(nb):
        s = _src(c)
        if c["cell_type"] == "markdown" and s.startswith("## "): on = "연습" in s.splitlines()[0]
        if on: out.append(c)
    return out


def lesson_notebooks()->list[Path]:
    "Numbered lessons (NN_name) must have an exercise; a lettered notebook (00a, 03a, ...) only if it has a section."
    return [p for p in NOTEBOOKS if re.match(r"\d\d_", p.name) or exercise_section(p)]


def test_lessons_are_found():
    names = {p.stem for p in lesson_notebooks()}
    assert {"00_env", "01_data", "02_train", "03_scoring", "04_losses", "05_export", "06_kmmlu", "07_consistency",
            "08_pipeline"} <= names, names


@pytest.mark.parametrize("nb", lesson_notebooks(), ids=lambda p: p.stem)
def test_exercise_has_placeholder_grade_solution_and_hidden_test(nb):
    sec = exercise_section(nb)
    assert sec, f"{nb.name}: no '## 연습' section"
    code = [_src(c) for c in sec if c["cell_type"] == "code"]
    i = next((i for i, s in enumerate(code) if PLACEHOLDER.search(s) and "grade(" not in s and not s.startswith("#|")),
             None)
    assert i is not None, f"{nb.name}: no exercise cell with a `...`/None placeholder"
    after = [s for s in code[i+1:] if not s.startswith("#|")][:1]          # the next cell a student sees run
    assert after and re.search(r"grade\(\(?(my_|\w+, check_)", after[0]), f"{nb.name}: the next cell must grade it"
    sol = SOLUTIONS/f"{nb.stem}_solution.py"
    assert sol.exists(), f"{nb.name}: missing {sol.relative_to(ROOT)}"
    assert sol.name in "".join(code), f"{nb.name}: the hidden test must load {sol.name}"
    hidden = [s for s in code if s.startswith("#| hide") and "runpy" in s and sol.name in s]
    assert hidden and all("solved(" in s for s in hidden), f"{nb.name}: no hidden test of placeholder/wrong/solution"
    assert any(c["cell_type"] == "markdown" and "더 해 보기" in _src(c) for c in sec), f"{nb.name}: no '더 해 보기'"


# --- run each exercise section (its check, its grade cell and its hidden test) without loading a model -------------
@pytest.fixture(scope="module")
def exercise_tok():
    from aes_kit.model import EMBEDDED_ALIAS, load_tokenizer
    return load_tokenizer(EMBEDDED_ALIAS)


def _fake_res()->dict:
    cats = {"STEM": (0.25, 8), "HUMSS": (0.5, 8), "Applied Science": (0.375, 8), "Other": (0.625, 8)}
    return dict(per_category={c: dict(n=n, subjects=2, accuracy=a) for c, (a, n) in cats.items()})


def _recs(tok)->list[dict]:
    from aes_kit.core import data_dir
    from aes_kit.data import load_essays
    from aes_kit.prompts import sft_records
    return sft_records(load_essays(data_dir()/"aes_sample"/"train.jsonl").select(range(2)), tok)


NEEDS = {"01a_prompts": ["tok", "recs"], "04_losses": ["tok"], "05_export": ["tok"], "06_kmmlu": ["res"]}


def _default_exp(nb:Path)->str:
    for c in _cells(nb):
        m = re.match(r"#\|\s*default_exp\s+(\S+)", _src(c))
        if m: return m.group(1)
    raise AssertionError(f"{nb.name}: no default_exp")


@pytest.mark.parametrize("nb", lesson_notebooks(), ids=lambda p: p.stem)
def test_exercise_section_runs_unsolved_and_its_hidden_test_passes(nb, request, monkeypatch):
    "Exec the section as `nbdev_test` would (a student who has not solved it yet): no error, an '아직' message."
    monkeypatch.chdir(ROOT)
    ns = dict(vars(importlib.import_module(f"aes_kit.{_default_exp(nb)}")))   # what the notebook's export cells define
    exec("from fastcore.test import test_eq, test_close, test_fail", ns)
    need = NEEDS.get(nb.stem, [])
    if "tok" in need: ns["tok"] = request.getfixturevalue("exercise_tok")
    if "recs" in need: ns["recs"] = _recs(ns["tok"])
    if "res" in need: ns["res"] = _fake_res()
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        for c in exercise_section(nb):
            if c["cell_type"] == "code" and not re.match(r"#\|\s*eval:\s*false", _src(c)):
                exec(compile(_src(c), f"{nb.name}:{c.get('id')}", "exec"), ns)
    assert "아직" in buf.getvalue(), buf.getvalue()


# --- one definition per name -------------------------------------------------------------------------------------
def _top_level_defs(src:str)->set[str]:
    try: tree = ast.parse(src)
    except SyntaxError: return set()    # a cell with shell magics
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


def duplicate_defs()->dict[str, list[str]]:
    "Function names defined at top level in more than one notebook (nbs/*.ipynb) or test file (tests/*.py)."
    where = defaultdict(set)
    for nb in sorted(NBS.glob("*.ipynb")):
        for c in _cells(nb):
            if c["cell_type"] == "code":
                for n in _top_level_defs(_src(c)): where[n].add(nb.name)
    for t in sorted((ROOT/"tests").glob("*.py")):
        for n in _top_level_defs(t.read_text(encoding="utf-8")): where[n].add(f"tests/{t.name}")
    return {n: sorted(fs) for n, fs in sorted(where.items()) if len(fs) > 1}


def test_no_exercise_check_is_defined_twice():
    dup = duplicate_defs()
    assert not [n for n in dup if n.startswith("check_") or n == "grade"], dup


def test_no_function_is_defined_in_two_files():
    dup = duplicate_defs()
    assert not dup, "defined in more than one file: " + "; ".join(f"{n}: {', '.join(fs)}" for n, fs in dup.items())
