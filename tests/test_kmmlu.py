"End-to-end checks of `aes-kit kmmlu` and parity with lm-evaluation-harness 0.4.13 (prompt strings and log-likelihoods)."
import contextlib, io, json, os
from pathlib import Path
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "kmmlu_sample"


def cli(*args):
    from aes_kit import core
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e): rc = core.main(list(args))
    return rc, o.getvalue(), e.getvalue()


@pytest.fixture(scope="module")
def model_tok():
    from aes_kit.kmmlu import load_for_eval
    return load_for_eval("smollm2-135m")


def test_cli_writes_results(tmp_path):
    import pandas as pd
    rc, out, err = cli("kmmlu", "--data", str(SAMPLE), "--subjects", "Korean-History,Health", "--shots", "1",
                       "--limit", "2", "--out", str(tmp_path), "--quiet")
    assert rc == 0, err
    res = json.loads((tmp_path / "kmmlu_results.json").read_text(encoding="utf-8"))
    for k in ("accuracy_micro", "accuracy_macro", "per_subject", "per_category", "shots", "peak_memory_mb",
              "seconds", "questions_per_second"):
        assert k in res, k
    assert res["n"] == 4 and res["shots"] == 1 and set(res["per_category"]) == {"HUMSS", "Other"}
    p = pd.read_csv(tmp_path / "kmmlu_predictions.csv")
    assert {"subject", "index", "answer", "pred", "correct"} <= set(p.columns)
    assert set(p["answer"]) <= set("ABCD") and set(p["pred"]) <= set("ABCD")
    assert (tmp_path / "kmmlu_categories.png").stat().st_size > 1000


@pytest.mark.parametrize("args,msg", [
    (["--subjects", "Astrology"], "unknown subject 'Astrology'"),
    (["--shots", "9"], "needs 9"),
    (["--data", "no/such/dir/x"], "not a folder"),
    (["--mode", "vibes"], "invalid choice"),
])
def test_cli_bad_input_is_one_line(args, msg, tmp_path):
    rc, out, err = cli("kmmlu", "--data", str(SAMPLE), "--out", str(tmp_path), *args) if "--data" not in args else \
        cli("kmmlu", "--out", str(tmp_path), *args)
    assert rc == 2 and err.count("\n") == 1 and msg in err, err
    assert not (tmp_path / "kmmlu_results.json").exists()


def _harness_task(name, monkeypatch):
    from lm_eval.tasks import TaskManager, get_task_dict
    monkeypatch.chdir(ROOT)    # the task YAMLs use data_files relative to the repository root
    tm = TaskManager(include_path=str(ROOT / "bench" / "lm_eval_tasks"))
    return get_task_dict([name], tm)[name]


def test_prompt_identical_to_harness(monkeypatch):
    from aes_kit.kmmlu import load_kmmlu, build_requests
    task = _harness_task("aeskit_kmmlu_sample_math", monkeypatch)
    docs = list(task.test_docs())
    ours = build_requests(load_kmmlu(SAMPLE, "Math", shots=5), shots=5)
    assert len(docs) == len(ours)
    for d, r in zip(docs, ours):
        assert task.fewshot_context(d, 5) == r["context"]
        assert task.fewshot_context(d, 0) == r["context"].rsplit("\n\n", 1)[-1]


def test_loglik_identical_to_harness(model_tok):
    from lm_eval.models.huggingface import HFLM
    from lm_eval.api.instance import Instance
    from aes_kit.kmmlu import load_kmmlu, build_requests, loglik_choices, LETTERS
    model, tok = model_tok
    reqs = build_requests(load_kmmlu(SAMPLE, "Economics", shots=2, limit=3), shots=2)
    ours = loglik_choices(model, tok, [r["context"] for r in reqs], groups=[r["subject"] for r in reqs], min_prefix=8,
                          progress=False)
    lm = HFLM(pretrained=model, tokenizer=tok, batch_size=1)
    inst = [Instance("loglikelihood", {}, (r["context"], " " + x), i) for i, r in enumerate(reqs) for x in LETTERS]
    theirs = [ll for ll, _ in lm.loglikelihood(inst, disable_tqdm=True)]
    for i in range(len(reqs)):
        for j in range(4):
            assert abs(ours[i, j] - theirs[4*i + j]) < 1e-3, (i, j, ours[i, j], theirs[4*i + j])
