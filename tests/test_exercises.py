"""Every lesson's exercise starts unsolved, is graded by `aes_kit.core.grade`, and accepts its solution file only.

The solutions live in nbs/solutions/ and are checked here, never by a notebook: a copy of the course without that
folder (what an instructor hands out) runs exactly the same."""
import ast, contextlib, importlib, io, json, re, runpy
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


# What each exercise's check must say to a placeholder, to the tempting wrong answers, and to the solution
# (`_sol`: the solution file's names). Run after the notebook's own exercise cells, in their namespace.
SOLUTION_CHECKS = {
    "00_env": r"""
_m = grade(..., check_preset); assert not solved(_m) and "아직" in _m, _m                         # the placeholder
assert not solved(grade(preset_settings("qwen2.5-7b", "l4"), check_preset))                      # an L4 answer
assert solved(grade(_sol["answer"], check_preset)), grade(_sol["answer"], check_preset)          # the solution
""",
    "01_data": r"""
_m = grade(lambda df: ..., check_messy); assert not solved(_m) and "아직" in _m, _m      # the placeholder
_m = grade(lambda df: df.copy(), check_messy); assert not solved(_m) and "아직" in _m, _m  # nothing fixed
assert solved(grade(_sol["fix_messy"], check_messy)), grade(_sol["fix_messy"], check_messy)  # the solution
""",
    "01a_prompts": r"""
_m = grade(..., check_labels); assert not solved(_m) and "아직" in _m, _m                            # the placeholder
_m = grade(list(ids), check_labels); assert not solved(_m) and "-100" in _m, _m                     # nothing masked
_m = grade(_sol["labels"](recs[1], tok), check_labels); assert solved(_m), _m                      # the solution
""",
    "02_train": r"""
_m = grade(dict(effective_batch=..., precision=...), check_train_setup); assert not solved(_m) and "아직" in _m, _m
_m = grade(dict(effective_batch=16, precision="fp16"), check_train_setup); assert not solved(_m) and "bf16" in _m, _m
assert not solved(grade(dict(effective_batch=4, precision="bf16"), check_train_setup))         # the batch alone
assert solved(grade(_sol["answer"], check_train_setup)), grade(_sol["answer"], check_train_setup)
""",
    "03_scoring": r"""
def _dropping(gold, outputs):
    keep = [(g, parse_score(o, 0, 5).score) for g, o in zip(gold, outputs) if parse_score(o, 0, 5).valid]
    m = score_metrics([g for g, _ in keep], [p for _, p in keep], 0, 5)
    return dict(qwk=m["qwk"], invalid_rate=m["invalid_rate"])
_m = grade(lambda g, o: ..., check_report); assert not solved(_m) and "아직" in _m, _m               # the placeholder
_m = grade(_dropping, check_report); assert not solved(_m) and "버리지 말고" in _m, _m               # dropping rows
assert solved(grade(_sol["my_report"], check_report)), grade(_sol["my_report"], check_report)     # the solution
""",
    "03a_metrics": r"""
_m = grade(lambda t, p: ..., check_qwk); assert not solved(_m) and "아직" in _m, _m                  # the placeholder
_m = grade(lambda t, p: cohen_kappa_score(t, p, weights="quadratic"), check_qwk)                  # the naive one-liner
assert not solved(_m) and "labels" in _m, _m
assert solved(grade(_sol["my_qwk"], check_qwk)), grade(_sol["my_qwk"], check_qwk)                 # the solution
""",
    "04_losses": r"""
_m = grade((..., ...), check_zero_loss); assert not solved(_m) and "아직" in _m, _m                  # the placeholder
_m = grade(("A", "both"), check_zero_loss); assert not solved(_m) and "기댓값" in _m, _m            # swapped
assert solved(grade(_sol["answer"], check_zero_loss)), grade(_sol["answer"], check_zero_loss)     # the solution
""",
    "05_export": r"""
_m = grade(..., check_prompts); assert not solved(_m) and "아직" in _m, _m                          # the placeholder
_m = grade(["대한민국의 수도는?", "에세이 채점 기준은?"], check_prompts)                                  # no chat template
assert not solved(_m) and "템플릿" in _m, _m
assert solved(grade(_sol["prompts"](tok), check_prompts)), grade(_sol["prompts"](tok), check_prompts)  # the solution
""",
    "06_kmmlu": r"""
_pc = res["per_category"]
_m = grade(..., check_weakest); assert not solved(_m) and "아직" in _m, _m                         # the placeholder
# a subject, not a category
_m = grade("Math", check_weakest); assert not solved(_m) and "범주 이름" in _m, _m
if len({v["accuracy"] for v in _pc.values()}) > 1:                                               # the strongest one
    assert not solved(grade(max(_pc, key=lambda c: _pc[c]["accuracy"]), check_weakest))
_m = grade(_sol["weakest"](res), check_weakest); assert solved(_m), _m                          # the solution
""",
    "07_consistency": r"""
_m = grade(lambda q, tol=0.01: ..., check_enough_m); assert not solved(_m) and "아직" in _m, _m      # the placeholder
# the best m, not the first
_m = grade(lambda q, tol=0.01: int(np.argmax(q)) + 1, check_enough_m)
assert not solved(_m) and "처음" in _m, _m
_m = grade(_sol["enough_m"], check_enough_m); assert solved(_m), _m                               # the solution
""",
    "08_pipeline": r"""
_m = grade(..., check_sweep_loss); assert not solved(_m) and "아직" in _m, _m                       # the placeholder
_m = grade(base_config, check_sweep_loss); assert not solved(_m) and "loss:" in _m, _m            # no loss yet
_m = grade(base_config + "  los: ntl\n", check_sweep_loss); assert not solved(_m) and "did you mean" in _m, _m
assert not solved(grade(base_config + "  loss: emo\n", check_sweep_loss))                          # another loss
_m = grade(_sol["config"](base_config), check_sweep_loss); assert solved(_m), _m                  # the solution
""",
}


@pytest.mark.parametrize("nb", lesson_notebooks(), ids=lambda p: p.stem)
def test_exercise_has_placeholder_grade_and_a_checked_solution(nb):
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
    assert nb.stem in SOLUTION_CHECKS and "_sol[" in SOLUTION_CHECKS[nb.stem], f"{nb.name}: its solution is unchecked"
    assert any(c["cell_type"] == "markdown" and "더 해 보기" in _src(c) for c in sec), f"{nb.name}: no '더 해 보기'"


def test_no_notebook_reads_or_names_the_solutions():
    "Removing nbs/solutions/ (a student's copy) breaks no notebook: none reads it, none points at it."
    for nb in NOTEBOOKS:
        assert "solutions" not in nb.read_text(encoding="utf-8"), f"{nb.name} names the solutions folder"


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
def test_exercise_section_runs_unsolved_and_the_solution_passes(nb, request, monkeypatch):
    ("Exec the section as `nbdev_test` would (a student who has not solved it yet): no error, an '아직' message; "
     "then the placeholder, the tempting wrong answers and the solution file meet the check.")
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
    ns["_sol"] = runpy.run_path(str(SOLUTIONS/f"{nb.stem}_solution.py"))
    exec(compile(SOLUTION_CHECKS[nb.stem], f"{nb.stem} solution checks", "exec"), ns)


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
