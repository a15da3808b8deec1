("Self-consistency: votes, the prompt prefilled once, resumable samples.jsonl, the curve against its exact limit, "
 "`aes-kit consistency`.")
import json, importlib.util, runpy
from pathlib import Path

import numpy as np
import pytest

from aes_kit import consistency as C
from aes_kit import sampling
from aes_kit.core import AesKitError, data_dir
from aes_kit.cli import run_cli
from aes_kit.metrics import qwk, score_metrics

TEST = data_dir() / "aes_sample" / "test.jsonl"
SOLUTION = Path(__file__).resolve().parents[1] / "nbs" / "solutions" / "07_consistency_solution.py"




@pytest.fixture(scope="module")
def base():
    "The embedded model without an adapter, loaded once for the mechanics tests."
    return C.load_scorer("smollm2-135m", backend="hf")


@pytest.fixture(scope="module")
def prompts(base):
    from aes_kit.data import load_essays
    from aes_kit.prompts import essay_prompt
    rows = [dict(r) for r in load_essays(TEST)][:2]
    return rows, [essay_prompt(r, base[1]) for r in rows]


# --- votes ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scores,majority,average", [
    ([3, 3, 4], 3, 3),
    ([1, 1, 4, 4, 3], 4, 3),           # majority tie 1/4: median 3 is closer to 4
    ([1, 1, 4, 4], 1, 3),              # tie and the median 2.5 halfway: the lower; mean 2.5 rounds up
    ([0, 5], 0, 3),
    ([None, 2, None, 2, 5], 2, 3),     # invalid samples do not vote; mean 3.0
    ([None, None, None], None, None),  # all invalid: the essay is invalid
    ([], None, None),
])
def test_votes_on_hand_made_cases(scores, majority, average):
    assert C.majority_vote(scores, 0, 5) == majority
    assert C.average_vote(scores, 0, 5) == average


def test_average_vote_is_exact_at_half_and_clipped():
    assert C.average_vote([2, 3] * 7, 0, 5) == 3                   # 2.5 exactly, no float drift
    assert C.average_vote([0, 1, 1], 0, 5) == 1                    # 0.667
    assert C.average_vote([5, 5], 0, 4) == 4


def test_all_invalid_essay_counts_like_score_metrics():
    gold = [0, 2, 5, 3]
    samples = [[0], [None], [5], [2]]                              # essay 2 has no valid sample
    c = C.vote_curves(gold, samples, 0, 5, repeats=1)
    pred = [C.majority_vote(s) for s in samples]
    assert pred[1] is None
    assert c["majority"]["mean"] == [pytest.approx(score_metrics(gold, pred, 0, 5)["qwk"])]
    assert c["invalid_rate"] == [0.25]


# --- the sampler ------------------------------------------------------------------------------------------------
def test_greedy_matches_generate(base, prompts):
    from aes_kit.scoring import generate_batch
    m, tok = base
    got = {}
    sampling.hf_sample(m, tok, prompts[1], [1, 1], temperature=0, max_new_tokens=6, progress=False,
                on_chunk=lambda res: got.update({i: t for i, _, t, *_ in res}))
    assert [got[0], got[1]] == generate_batch(m, tok, prompts[1], max_new_tokens=6, progress=False)


def _count(model):
    n = dict(prefill=0, decode=0, calls=0)
    def hook(mod, args, kw):
        x = kw.get("input_ids", args[0] if args else None)
        n["calls"] += 1
        n["prefill" if x.shape[1] > 1 else "decode"] += x.numel()
    return n, model.register_forward_pre_hook(hook, with_kwargs=True)


def test_prompt_is_prefilled_once_per_essay(base, prompts):
    m, tok = base
    ps = prompts[1]
    padded = len(ps) * max(len(tok(p).input_ids) for p in ps)
    n, h = _count(m)
    try: st = sampling.hf_sample(m, tok, ps, [5, 3], chunk_m=2, max_new_tokens=3, seed=0, progress=False)
    finally: h.remove()
    assert st["samples"] == 8 and n["prefill"] == padded == st["prefill_tokens"]   # 3 chunks, one prefill
    assert n["decode"] <= 2 * 8                                      # then one token per sample and step
    from aes_kit.scoring import generate_batch
    n2, h = _count(m)
    try: generate_batch(m, tok, ps, max_new_tokens=3, do_sample=True, num_return_sequences=5, seed=0, progress=False)
    finally: h.remove()
    assert n2["prefill"] == 5 * padded                              # the baseline reads each prompt m times


def test_same_seed_same_samples_other_seed_other(base, prompts):
    m, tok = base
    def draw(seed):
        out = []
        sampling.hf_sample(m, tok, prompts[1], [4, 4], chunk_m=4, max_new_tokens=4, seed=seed, progress=False,
                    temperature=1.0, on_chunk=lambda res: out.extend((i, j, t) for i, j, t, *_ in res))
        return sorted(out)
    a = draw(3)
    assert a == draw(3)
    assert a != draw(4)


# --- samples.jsonl ---------------------------------------------------------------------------------------------
def fake(texts):
    it = iter(texts)
    def sample(prompts, counts, keys=None, on_chunk=None):
        n = 0
        for i, c in enumerate(counts):
            for j in range(c): on_chunk([(i, j, next(it), 4, 0.1)]); n += 1
        return dict(samples=n)
    return sample


def test_resume_after_a_kill_mid_file(tmp_path):
    rows = [dict(id=f"e{i}", min_score=0, max_score=5) for i in range(3)]
    f, S = tmp_path / "samples.jsonl", dict(model="fake", temperature=0.7)
    sampling.draw_samples(fake([f'{{"score": {k % 6}}}' for k in range(12)]), rows, ["a", "b", "c"], 4, f, S)
    lines = f.read_bytes().split(b"\n")
    f.write_bytes(b"\n".join(lines[:5]) + b"\n" + lines[5][:17])     # 5 whole lines, then a kill mid-line
    assert len(sampling.read_samples(f)) == 5
    recs, st = sampling.draw_samples(fake(['{"score": 0}'] * 7), rows, ["a", "b", "c"], 4, f, S)
    assert (st["reused"], st["drawn"]) == (5, 7)
    assert [[r["k"] for r in e] for e in recs] == [[0, 1, 2, 3]] * 3
    back = [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines()]   # every line whole again
    assert len(back) == 12
    assert {(r["essay_id"], r["k"]) for r in back} == {(f"e{i}", k) for i in range(3) for k in range(4)}


def test_damaged_middle_line_is_one_clear_error(tmp_path):
    f = tmp_path / "samples.jsonl"
    f.write_text('{"k": 0}\n{"k": oops}\n{"k": 2}\n', encoding="utf-8")
    with pytest.raises(AesKitError, match=r"samples.jsonl:2: not a JSON line"): sampling.read_samples(f)


# --- the exact limit ------------------------------------------------------------------------------------------
def test_temper_equals_softmax_of_logits_over_T():
    import torch
    from transformers.generation.logits_process import TopPLogitsWarper
    z = torch.randn(5, 6, generator=torch.Generator().manual_seed(0)) * 2
    p = torch.softmax(z, -1).numpy()
    for T in (0.3, 0.7, 1.0, 1.8):
        np.testing.assert_allclose(C.temper(p, T), torch.softmax(z / T, -1).numpy(), atol=1e-6)
    want = torch.softmax(TopPLogitsWarper(0.8)(None, z / 0.7), -1).numpy()   # the sampler's nucleus on the same logits
    np.testing.assert_allclose(C.temper(p, 0.7, top_p=0.8), want, atol=1e-6)


@pytest.mark.parametrize("seed", [1, 2])
def test_sampled_curve_approaches_the_exact_limit(seed):
    g = np.random.default_rng(seed)
    n, m, K = 40, 150, 6
    gold = g.integers(0, K, n).tolist()
    probs = np.array([g.dirichlet(np.exp(-0.8 * np.abs(np.arange(K) - y)) * 3) for y in gold])
    samples = [[None if g.random() < 0.05 else int(g.choice(K, p=p)) for _ in range(m)] for p in probs]
    curve = C.vote_curves(gold, samples, 0, K - 1, repeats=3, seed=seed)
    limit = C.limit_votes(probs, 0, K - 1)
    for v in C.VOTES:
        lim = qwk(gold, limit[v], 0, K - 1)
        gap = np.abs(np.array(curve[v]["mean"]) - lim)
        assert gap[-1] < 0.03 and gap[-10:].mean() < gap[:10].mean(), (v, gap[:3], gap[-3:])
        votes = [C.VOTES[v](s, 0, K - 1) for s in samples]
        assert np.mean([a == b for a, b in zip(votes, limit[v])]) >= 0.85   # the essays' votes reach the limit votes


# --- the exercise ------------------------------------------------------------------------------------------------
def test_exercise_check_accepts_the_solution_only():
    from aes_kit.core import grade, solved
    sol = runpy.run_path(str(SOLUTION))["enough_m"]
    assert solved(grade(sol, C.check_enough_m))
    assert "아직" in grade(lambda q, tol=0.01: None, C.check_enough_m)                   # the placeholder
    assert "아직 답이 없습니다" in C.check_enough_m(lambda q, tol=0.01: None)              # the check alone, too
    m = grade(lambda q, tol=0.01: next(i for i, x in enumerate(q) if x >= max(q) - tol), C.check_enough_m)
    assert not solved(m) and "1부터" in m                                                # 0-based m
    assert not solved(grade(lambda q, tol=0.01: int(np.argmax(q)) + 1, C.check_enough_m))  # the best m, not the first


# --- the command line ---------------------------------------------------------------------------------------------
def _no_model(*a, **k): raise AssertionError("a model was loaded for a bad flag")


@pytest.mark.parametrize("flags,msg", [
    (["--max-m", "0"], "--max-m: expected a whole number >= 1"),
    (["--chunk-m", "-3"], "--chunk-m: expected a whole number >= 1"),
    (["--temperature", "inf"], "--temperature: expected a finite number > 0"),
    (["--temperature", "0"], "expected a finite number > 0"),
    (["--top-p", "1.2"], "--top-p: expected a finite number in (0, 1]"),
    (["--repeats", "two"], "expected a whole number"),
    (["--limit", "0"], "--limit: expected a whole number >= 1"),
    (["--data", "NONE"], "no such file"),
    (["--out", "FILE"], "is a file"),
    (["--model", "no-such-model-xyz"], ""),
])
def test_bad_flags_are_one_line_and_load_no_model(tmp_path, monkeypatch, flags, msg):
    monkeypatch.setattr(C, "load_scorer", _no_model)
    (tmp_path / "f.txt").write_text("x")
    alias = {"NONE": str(tmp_path / "none.jsonl"), "FILE": str(tmp_path / "f.txt")}
    flags = [alias.get(x, x) for x in flags]
    args = {"--model": "smollm2-135m", "--data": str(TEST), "--out": str(tmp_path / "out"),
            **dict(zip(flags[::2], flags[1::2]))}
    rc, _, err = run_cli("consistency", *[x for kv in args.items() for x in kv])
    assert rc == 2 and err.count("\n") == 1 and msg in err, err


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vLLM is installed here")
def test_vllm_engine_without_vllm_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(C, "load_scorer", _no_model)
    rc, _, err = run_cli("consistency", "--model", "smollm2-135m", "--data", TEST, "--out", tmp_path,
                         "--engine", "vllm")
    assert rc == 2 and err.count("\n") == 1 and "needs vLLM" in err


def test_cli_end_to_end_and_resume(tmp_path, monkeypatch, base):
    out = tmp_path / "run"
    def args(m): return ["consistency", "--model", "smollm2-135m", "--data", TEST, "--out", out, "--limit", 2,
                         "--max-m", m, "--chunk-m", 2, "--repeats", 3, "--max-new-tokens", 4, "--backend", "hf"]
    rc, o, err = run_cli(*args(2))
    assert rc == 0, err
    assert "QWK at m=1" in o
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["n_essays"] == 2 and s["curves"]["m"] == [1, 2]
    assert (s["samples"]["reused"], s["samples"]["drawn"]) == (0, 4) and s["samples"]["prefill_tokens"] > 0
    assert s["greedy"] is not None and set(s["limit"]) == {"majority", "average"}
    pe = s["per_essay"]
    assert [e["id"] for e in pe] == ["aes-0004", "aes-0009"]
    keys = {"gold", "majority", "average", "greedy", "majority_limit", "average_limit", "n_valid"}
    assert all(keys <= set(e) for e in pe)
    for f in ("qwk_vs_m.png", "qwk_vs_cost.png"): assert (out / f).read_bytes()[:4] == b"\x89PNG"
    c = s["cost"]                                                      # prompt once + m decodes
    assert c["prefill_seconds_per_essay"] > 0 and c["tokens"] == [c["tokens_per_sample"], 2 * c["tokens_per_sample"]]
    assert c["seconds"][1] - c["seconds"][0] == pytest.approx(c["seconds_per_sample"])
    recs = sampling.read_samples(out / "samples.jsonl")
    assert len(recs) == 4 + 2                                          # 2 x 2 samples + 2 greedy
    assert all({"essay_id", "k", "key", "settings", "text", "score", "status", "n_tokens"} <= set(r) for r in recs)
    sampled = [r for r in recs if r["settings"]["temperature"] > 0]
    assert s["sample_invalid_rate"] == pytest.approx(np.mean([r["score"] is None for r in sampled]))
    # killed mid-file: keep one whole line and half of the next; the rerun draws only what is missing
    lines = (out / "samples.jsonl").read_bytes().split(b"\n")
    (out / "samples.jsonl").write_bytes(lines[0] + b"\n" + lines[1][:20])
    monkeypatch.setattr(C, "load_scorer", lambda *a, **k: base)        # same model, no second load
    rc, _, err = run_cli(*args(2))
    assert rc == 0, err
    s2 = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (s2["samples"]["reused"], s2["samples"]["drawn"]) == (1, 3)
    rc, _, err = run_cli(*args(3))
    assert rc == 0, err
    s3 = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (s3["samples"]["reused"], s3["samples"]["drawn"]) == (4, 2)   # larger m: only one more per essay
    assert len(sampling.read_samples(out / "samples.jsonl")) == 6 + 2
