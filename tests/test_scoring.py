"""Scoring and metrics: QWK against the Kaggle formula, Korean ROUGE, JSON parsing, and `aes-kit score` end to end."""
import json, random

import numpy as np
import pandas as pd
import pytest
import torch

from aes_kit.core import AesKitError, data_dir
from aes_kit.cli import run_cli
from aes_kit.metrics import qwk, kaggle_qwk, score_metrics, rouge_scores, bleu, fill_invalid
from aes_kit.generate import parse_score, parse_traits, extract_response, safe_model_name, VALID_STATUSES


# --- QWK ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("t,p", [([0, 1, 4, 4, 5, 1], [0, 4, 1, 4, 5, 0]),   # 2 and 3 never occur
                                 ([0, 5, 5, 0], [5, 0, 5, 0]),
                                 ([1, 1, 4], [4, 1, 1])])
def test_qwk_matches_kaggle_with_missing_middle_scores(t, p):
    assert qwk(t, p, 0, 5) == pytest.approx(kaggle_qwk(t, p, 0, 5), abs=1e-12)


def test_qwk_random_cases_match_kaggle():
    rng = random.Random(0)
    for _ in range(50):
        k = rng.randint(2, 25)
        t = [rng.choice([0, 1, 5]) for _ in range(k)]
        p = [rng.randint(0, 5) for _ in range(k)]
        if len(set(t)) == 1 and set(t) == set(p): continue
        assert qwk(t, p, 0, 5) == pytest.approx(kaggle_qwk(t, p, 0, 5), abs=1e-9)


def test_qwk_constant_predictions_and_bad_input():
    assert qwk([0, 3, 5, 3], [3, 3, 3, 3], 0, 5) == 0.0
    assert qwk([3, 3], [3, 3], 0, 5) == 1.0
    with pytest.raises(AesKitError, match="outside the rubric range"): qwk([1, 2], [1, 9], 0, 5)
    with pytest.raises(AesKitError, match="same length"): qwk([1, 2], [1], 0, 5)


def test_invalid_rows_are_counted_not_dropped():
    gold, pred = [0, 1, 2, 3, 4, 5], [0, 1, None, 3, None, 5]
    m = score_metrics(gold, pred, 0, 5)
    assert m["n"] == 6 and m["n_invalid"] == 2 and m["invalid_rate"] == pytest.approx(1 / 3)
    assert m["qwk_valid"] == 1.0 and m["qwk"] < 0.8
    assert fill_invalid([0, 4], [None, None], 0, 5) == [5, 0]


# --- ROUGE / BLEU --------------------------------------------------------------------------------------------
def test_korean_rouge_identical_and_disjoint():
    s = "면접자는 대학 시절 팀 프로젝트를 이끈 경험을 설명했다."
    for tok in ("content", "morpheme", "whitespace"):
        same = rouge_scores([s], [s], lang="ko", tokenizer=tok)
        assert (same["rouge1"], same["rouge2"], same["rougeL"]) == (1.0, 1.0, 1.0)
        diff = rouge_scores(["고양이 사진"], ["경제 성장률 전망"], lang="ko", tokenizer=tok)
        assert (diff["rouge1"], diff["rouge2"], diff["rougeL"]) == (0.0, 0.0, 0.0)
    assert bleu([s], [s]) == pytest.approx(100.0)


# --- parsing -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,score,status", [
    ('{"score": 4, "feedback": "좋음"}', 4, "ok"),
    ('```json\n{"score": 3, "feedback": "x"}\n```', 3, "repaired"),
    ('결과: {"score": 2, "feedback": "x"} 끝.', 2, "repaired"),
    ('｛"score"：４，"feedback"："좋음"｝', 4, "repaired"),
    ('{"score": "4점", "feedback": "x"}', 4, "repaired"),
    ('{"score": 4점, "feedback": "x"}', 4, "repaired"),
    ("이 글은 4점입니다.", 4, "repaired"),
    ("5점 만점에 3점", 3, "repaired"),
    ('{"score": 4, "feedback": "잘린', 4, "repaired"),
    ('{"score": 9, "feedback": "x"}', None, "out_of_range"),
    ('{"score": 2.5}', None, "not_integer"),
    ("채점할 수 없습니다.", None, "no_score"),
    ("", None, "empty"),
])
def test_parse_score_cases(text, score, status):
    r = parse_score(text, 0, 5)
    assert (r.score, r.status) == (score, status)
    assert r.raw == text                      # raw text always kept
    assert r.valid == (status in VALID_STATUSES)


def test_parse_traits():
    tr = {"content": (0, 5), "organization": (0, 5), "expression": (0, 5)}
    r = parse_score('{"score": 3, "content": 3, "organization": 9, "expression": "2점", "feedback": "x"}', 0, 5, tr)
    assert r.traits == {"content": 3, "organization": None, "expression": 2}
    assert parse_traits('```json\n{"traits": {"content": 1, "organization": 2, "expression": 3}}\n```', tr) == \
        {"content": 1, "organization": 2, "expression": 3}


def test_extract_response_and_names():
    assert extract_response("### Instruction:\n요약\n\n### Response:\n요약문.\n### Instruction:\n더") == "요약문."
    assert safe_model_name("Qwen/Qwen2.5-7B-Instruct") == "Qwen--Qwen2.5-7B-Instruct"


# --- the command line --------------------------------------------------------------------------------------
def test_score_cli_errors_are_one_line(tmp_path):
    rc, _, err = run_cli("score", "--model", "smollm2-135m", "--data", tmp_path / "none.jsonl", "--out", tmp_path)
    assert rc == 2 and err.count("\n") == 1 and "no such file" in err
    rc, _, err = run_cli("score", "--adapter", tmp_path, "--data", data_dir() / "aes_sample" / "test.jsonl",
                         "--out", tmp_path)
    assert rc == 2 and "not a LoRA adapter" in err


def test_score_cli_writes_all_outputs(tmp_path):
    test = data_dir() / "aes_sample" / "test.jsonl"
    rc, out, err = run_cli("score", "--model", "smollm2-135m", "--data", test, "--out", tmp_path, "--limit", 3,
                           "--max-new-tokens", 12, "--batch-size", 3, "--backend", "hf")
    assert rc == 0, err
    df = pd.read_csv(tmp_path / "test_results_smollm2-135m.csv")
    assert list(df.columns[:8]) == ["id", "prompt_id", "question", "essay", "gold_json", "predicted_json", "status",
                                    "raw_generation"]
    assert len(df) == 3 and df["gold_json"].map(lambda s: "score" in json.loads(s)).all()
    m = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    for k in ("qwk", "qwk_valid", "per_prompt_qwk", "mean_prompt_qwk", "mae", "exact_accuracy", "invalid_rate", "n"):
        assert k in m
    assert m["n"] == 3 and m["invalid_rate"] == pytest.approx((~df["status"].isin(VALID_STATUSES)).mean())
    assert (tmp_path / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"


# --- scoring methods: the score-digit read-out ---------------------------------------------------------------
def test_readout_on_a_hand_made_distribution():
    from aes_kit.readout import readout_scores
    probs = np.array([[0.0, 0.1, 0.6, 0.3, 0.0, 0.0],    # mode 2, mean 2.2
                      [0.5, 0.0, 0.0, 0.0, 0.0, 0.5],    # bimodal: mode 0 (first of a tie), mean 2.5 -> 3
                      [0.0, 0.0, 0.0, 0.0, 0.4, 0.6]])   # mode 5, mean 4.6
    assert readout_scores(probs, 0, "argmax") == [2, 0, 5]
    assert readout_scores(probs, 0, "expected") == [2, 3, 5]
    assert readout_scores(probs, 1, "expected") == [3, 4, 6]   # column 0 is the rubric minimum
    with pytest.raises(AesKitError, match="read-out must be"): readout_scores(probs, 0, "mean")


class PositionLM(torch.nn.Module):
    "A fake causal LM whose logits favour the digit (position mod 6) at every position."
    def __init__(self, digit_ids, vocab):
        super().__init__(); self.w = torch.nn.Parameter(torch.zeros(1)); self.ids, self.vocab = digit_ids, vocab
    def forward(self, input_ids, attention_mask=None, **kw):
        from types import SimpleNamespace
        B, T = input_ids.shape
        lg = torch.zeros(B, T, self.vocab)
        for t in range(T): lg[:, t, self.ids[t % len(self.ids)]] = 20.0
        return SimpleNamespace(logits=lg)


def test_score_distribution_reads_the_last_real_token_of_each_row():
    from aes_kit.model import load_tokenizer
    from aes_kit.data import load_essays
    from aes_kit.prompts import essay_prompt
    from aes_kit.readout import score_context, score_distribution, readout_scores
    tok = load_tokenizer("smollm2-135m")
    rows = load_essays(data_dir() / "aes_sample" / "test.jsonl").select(range(5))
    ctx = [score_context(tok, essay_prompt(r, tok), 0, 5) for r in rows]
    assert len({len(c) for c, _ in ctx}) > 1                  # different lengths: padding is exercised
    P = score_distribution(PositionLM(ctx[0][1], len(tok)), tok, rows, batch_size=2)
    assert P.shape == (5, 6) and np.allclose(P.sum(1), 1)
    assert readout_scores(P, 0, "argmax") == [(len(c) - 1) % 6 for c, _ in ctx]


def test_score_cli_methods(tmp_path):
    test = data_dir() / "aes_sample" / "test.jsonl"
    rc, out, err = run_cli("score", "--model", "smollm2-135m", "--data", test, "--out", tmp_path, "--limit", 3,
                           "--max-new-tokens", 8, "--batch-size", 3, "--backend", "hf", "--method",
                           "expected,generate,argmax")
    assert rc == 0, err
    df = pd.read_csv(tmp_path / "test_results_smollm2-135m.csv")
    assert (df["score_method"] == "expected").all() and (df["status"] == "readout").all()
    assert (df["pred_score"] == df["pred_score_expected"]).all() and df["raw_generation"].notna().all()
    assert df["generate_status"].notna().all()                 # the generation (feedback) is kept beside the read-out
    P = np.array([json.loads(s) for s in df["score_probs"]])
    assert np.allclose(P.sum(1), 1, atol=1e-3) and ((df["expected_value"] >= 0) & (df["expected_value"] <= 5)).all()
    m = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert m["method"] == "expected" and sorted(m["methods"]) == ["argmax", "expected", "generate"]
    for v in m["methods"].values(): assert v["n"] == 3 and {"qwk", "mae", "exact_accuracy", "invalid_rate"} <= set(v)
    assert m["methods"]["expected"]["invalid_rate"] == 0 and m["qwk"] == m["methods"]["expected"]["qwk"]
    rc, _, err = run_cli("score", "--model", "smollm2-135m", "--data", test, "--out", tmp_path, "--method",
                         "expected,vote")
    assert rc == 2 and err.count("\n") == 1 and "--method must be one or more of generate, expected, argmax" in err


@pytest.mark.parametrize("pred,ref", [("오늘 날씨가 맑다", "경제 성장률이 하락했다"),
                                      ("그는 학교에 갔다", "물가가 크게 올랐다"),
                                      ("책을 읽었습니다", "바다는 넓습니다")])
def test_korean_rouge_ignores_shared_particles_and_endings(pred, ref):
    "Only particles/endings in common: 0 by default (content morphemes); all-morpheme counting still sees them."
    assert rouge_scores([pred], [ref])["rouge1"] == 0.0
    assert rouge_scores([pred], [ref], tokenizer="morpheme")["rouge1"] > 0.0
    assert rouge_scores([pred], [ref])["tokenizer"] == "ko-content"


def test_score_cli_reports_the_baselines_beside_the_model(tmp_path):
    test, train = data_dir() / "aes_sample" / "test.jsonl", data_dir() / "aes_sample" / "train.jsonl"
    rc, out, err = run_cli("score", "--model", "smollm2-135m", "--data", test, "--out", tmp_path, "--limit", 4,
                           "--batch-size", 4, "--backend", "hf", "--method", "expected", "--baseline-train", train)
    assert rc == 0, err
    assert "baseline length: QWK" in out and "baseline tfidf: QWK" in out and "per prompt: mean QWK" in out
    m = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert sorted(m["baselines"]) == ["length", "tfidf"] and m["baselines"]["tfidf"]["n"] == 4
    assert m["baseline_train"] == str(train) and "fisher_mean_prompt_qwk" in m
    df = pd.read_csv(tmp_path / "test_results_smollm2-135m.csv")
    assert df["baseline_length"].between(0, 5).all() and len(df) == 4
    rc, _, err = run_cli("score", "--model", "smollm2-135m", "--data", test, "--out", tmp_path, "--baseline-train",
                         tmp_path / "none.jsonl")
    assert rc == 2 and err.count("\n") == 1 and "--baseline-train" in err and "no such file" in err
    rc, _, err = run_cli("score", "--model", "smollm2-135m", "--data", test, "--out", tmp_path, "--baseline-train",
                         "auto")
    assert rc == 2 and err.count("\n") == 1 and "no training file recorded" in err


def test_string_readout_shares_the_prompt_pass_and_matches_scoring_each_score_alone():
    "The cached read-out of a 0-12 scale equals the log-likelihood of each full sequence scored on its own."
    from aes_kit.scoring import load_scorer
    from aes_kit.readout import score_strings, string_logliks
    m, tok = load_scorer("smollm2-135m", backend="hf")
    prompt = tok.apply_chat_template([{"role": "user", "content": "점수를 주세요."}], tokenize=False,
                                     add_generation_prompt=True)
    ctx, conts = score_strings(tok, prompt, 0, 12)
    got = string_logliks(m, ctx, conts)
    with torch.inference_mode():
        alone = []
        for c in conts:
            lp = torch.log_softmax(m(input_ids=torch.tensor([ctx + c])).logits[0].float(), -1)
            alone.append(sum(lp[len(ctx) - 1 + j, t].item() for j, t in enumerate(c)))
    assert np.allclose(got, alone, atol=1e-3)


def test_score_cli_expected_on_a_0_60_scale(tmp_path):
    "A 0-60 rubric reads out by score strings: every row gets a score in range and a 61-score distribution."
    rows = [json.loads(x) for x in (data_dir() / "aes_sample" / "test.jsonl").read_text(encoding="utf-8").splitlines()]
    data = tmp_path / "asap8" / "test.jsonl"
    data.parent.mkdir()
    scaled = [{**{k: v for k, v in r.items() if k != "traits"}, "score": r["score"] * 12} for r in rows[:2]]
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in scaled), encoding="utf-8")
    (data.parent / "meta.json").write_text(json.dumps({"min_score": 0, "max_score": 60}), encoding="utf-8")
    rc, out, err = run_cli("score", "--model", "smollm2-135m", "--data", data, "--out", tmp_path / "out",
                           "--backend", "hf", "--method", "expected,argmax")
    assert rc == 0, err
    df = pd.read_csv(tmp_path / "out" / "test_results_smollm2-135m.csv")
    P = np.array([json.loads(s) for s in df["score_probs"]])
    assert P.shape == (2, 61) and np.allclose(P.sum(1), 1, atol=1e-3)
    assert df["pred_score_expected"].between(0, 60).all() and df["pred_score_argmax"].between(0, 60).all()
    assert (df["pred_score_argmax"] == P.argmax(1)).all()
    m = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert m["max_score"] == 60 and m["methods"]["expected"]["invalid_rate"] == 0
