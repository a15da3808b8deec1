"""Baselines (notebook 02c): `aes-kit baseline` end to end, per-prompt fits on mixed score ranges, the human ceiling."""
import json
import pandas as pd
import pytest
from aes_kit.core import data_dir
from aes_kit.cli import run_cli
from aes_kit.baselines import baseline_predictions, baseline_metrics, is_korean

TRAIN, TEST = data_dir()/"aes_sample"/"train.jsonl", data_dir()/"aes_sample"/"test.jsonl"


def test_baseline_cli_writes_results_and_metrics(tmp_path):
    rc, out, err = run_cli("baseline", "--train", TRAIN, "--test", TEST, "--out", tmp_path, "--limit", 20)
    assert rc == 0, err
    assert "baseline length: QWK" in out and "baseline tfidf: QWK" in out
    m = json.loads((tmp_path/"metrics.json").read_text(encoding="utf-8"))
    assert m["n_test"] == 20 and m["korean"] is True
    for k in ("length", "tfidf"):
        v = m["baselines"][k]
        assert v["n"] == 20 and v["invalid_rate"] == 0 and -1 <= v["qwk"] <= 1
        assert {"per_prompt_qwk", "mean_prompt_qwk", "fisher_mean_prompt_qwk"} <= set(v)
    df = pd.read_csv(tmp_path/"baseline_results.csv")
    assert len(df) == 20 and df["baseline_length"].between(0, 5).all() and df["baseline_tfidf"].between(0, 5).all()


def test_baseline_cli_bad_input_is_one_line(tmp_path):
    rc, _, err = run_cli("baseline", "--train", TRAIN, "--test", TEST, "--out", tmp_path, "--kinds", "length,bert")
    assert rc == 2 and err.count("\n") == 1 and "--kinds" in err
    rc, _, err = run_cli("baseline", "--train", tmp_path/"none.jsonl", "--test", TEST, "--out", tmp_path)
    assert rc == 2 and err.count("\n") == 1 and "no such file" in err
    rc, _, err = run_cli("baseline", "--test", TEST, "--out", tmp_path)
    assert rc == 2 and "--train is required" in err


def _essays(prompt, lo, hi, n, raters=False):
    "English essays of one prompt whose length and words grow with the score (range [lo, hi])."
    rows = []
    for i in range(n):
        s = lo + (i * (hi - lo)) // max(1, n - 1)
        words = " ".join(["because evidence shows"] * (1 + s) + ["however"] * (i % 2))
        rows.append(dict(id=f"{prompt}{i}", prompt_id=prompt, essay=f"{prompt} essay. {words}", score=s,
                         min_score=lo, max_score=hi, **({"raters": [s, min(hi, s + i % 2)]} if raters else {})))
    return rows


def test_per_prompt_fits_use_each_rows_range_and_report_the_human_ceiling():
    train = _essays("A", 0, 3, 12) + _essays("B", 0, 60, 12)
    test = _essays("A", 0, 3, 6, raters=True) + _essays("B", 0, 60, 6, raters=True)
    assert not is_korean([r["essay"] for r in train])                 # word n-grams, not Kiwi morphemes
    preds = baseline_predictions(train, test)                        # ranges differ: one fit per prompt
    for k in ("length", "tfidf"):
        assert all(0 <= s <= 3 for s in preds[k][:6]) and all(0 <= s <= 60 for s in preds[k][6:])
    m = baseline_metrics(test, preds)
    assert list(m["length"]["per_prompt_qwk"]) == ["A", "B"] and m["length"]["n_prompts"] == 2
    assert m["length"]["per_prompt_qwk"]["A"] > 0.8                  # length decides these scores
    h = m["length"]["human"]
    assert h["n"] == 12 and list(h["pairs"]) == ["1-2"] and sorted(h["per_prompt_qwk"]) == ["A", "B"]


def test_a_prompt_without_training_essays_is_one_line():
    from aes_kit.core import AesKitError
    with pytest.raises(AesKitError, match="prompt 'B': 0 training essay"):
        baseline_predictions(_essays("A", 0, 3, 6), _essays("A", 0, 3, 2) + _essays("B", 0, 60, 2))
