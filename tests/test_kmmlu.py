("End-to-end checks of `aes-kit kmmlu` and parity with lm-evaluation-harness 0.4.13 (prompt strings and "
 "log-likelihoods).")
import functools, json, os
from pathlib import Path
import pytest
from aes_kit.cli import run_cli as cli   # in this process

os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "kmmlu_sample"


@pytest.fixture(scope="module")
def model_tok():
    from aes_kit.harness import load_for_eval
    return load_for_eval("smollm2-135m")


def test_cli_writes_results(tmp_path):
    import pandas as pd
    rc, out, err = cli("kmmlu", "--data", str(SAMPLE), "--subjects", "Korean-History,Health", "--shots", "1",
                       "--limit", "2", "--out", str(tmp_path), "--no-progress")
    assert rc == 0, err
    res = json.loads((tmp_path / "kmmlu_results.json").read_text(encoding="utf-8"))
    for k in ("accuracy_micro", "accuracy_macro", "per_subject", "per_category", "shots", "peak_memory_gb",
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


@functools.lru_cache(maxsize=1)
def _task_manager():
    from lm_eval.tasks import TaskManager
    return TaskManager(include_path=str(ROOT / "bench" / "lm_eval_tasks"))


def _harness_task(name, monkeypatch):
    from lm_eval.tasks import get_task_dict
    monkeypatch.chdir(ROOT)    # the task YAMLs use data_files relative to the repository root
    return get_task_dict([name], _task_manager())[name]


def _harness_contexts(name, shots, monkeypatch, seed=1234):
    "{doc_id: context} exactly as `lm_eval run --num_fewshot SHOTS` builds them (evaluator: set_fewshot_seed, then"
    " build_all_requests over the test docs in document order)."
    task = _harness_task(name, monkeypatch)
    task.set_config(key="num_fewshot", value=shots)
    task.set_fewshot_seed(seed=seed)
    task.build_all_requests()
    out = {}
    for inst in task.instances:
        ctx, cont = inst.arguments
        assert out.setdefault(inst.doc_id, ctx) == ctx and cont in (" A", " B", " C", " D")
    return out


SUBJECTS = ["Computer-Science", "Economics", "Environmental-Science", "Health", "Korean-History", "Math"]


@pytest.mark.parametrize("layout,strategy", [("stock", "harness"), ("sample", "first_n")])
@pytest.mark.parametrize("shots", [0, 5])
def test_prompt_identical_to_harness(layout, strategy, shots, monkeypatch):
    "Every question of data/kmmlu_sample, every subject: our context == the harness's, string for string."
    from aes_kit.harness import load_kmmlu
    from aes_kit.kmmlu import build_requests
    data = load_kmmlu(SAMPLE, "all", shots=5)
    assert sorted(data) == SUBJECTS
    ours = build_requests(data, shots=shots, strategy=strategy)
    n = 0
    for s in SUBJECTS:
        theirs = _harness_contexts(f"aeskit_kmmlu_{layout}_" + s.lower().replace("-", "_"), shots, monkeypatch)
        mine = {r["index"]: r["context"] for r in ours if r["subject"] == s}
        assert sorted(theirs) == sorted(mine), s
        for i in mine:
            assert mine[i] == theirs[i], (s, i)
            n += 1
    assert n == len(ours) == 72


def test_prompt_identical_to_harness_other_seed_and_limit(monkeypatch):
    "Another seed, and --limit (the harness draws only for the docs it keeps, in the same order)."
    from aes_kit.harness import load_kmmlu
    from aes_kit.kmmlu import build_requests
    theirs = _harness_contexts("aeskit_kmmlu_stock_health", 3, monkeypatch, seed=7)
    ours = build_requests(load_kmmlu(SAMPLE, "Health", shots=3, limit=4), shots=3, strategy="harness", seed=7)
    assert [r["context"] for r in ours] == [theirs[i] for i in range(4)]
    assert len({r["shots"] for r in ours}) > 1           # a fresh draw per question, not one fixed prefix


def test_prompt_identical_to_harness_fewshot_split_test(monkeypatch):
    "Few-shot split = test split: the harness leaves the question out of its own examples; so do we."
    from aes_kit.harness import load_kmmlu
    from aes_kit.kmmlu import build_requests
    theirs = _harness_contexts("aeskit_kmmlu_selfshot_math", 5, monkeypatch)
    ours = build_requests(load_kmmlu(SAMPLE, "Math", shots=5), shots=5, strategy="harness", fewshot_split="test")
    assert [r["context"] for r in ours] == [theirs[i] for i in range(len(ours))]
    for r in ours: assert r["index"] not in r["shots"]


def test_fewshot_modes_differ_and_are_recorded(tmp_path):
    from aes_kit.harness import load_kmmlu
    from aes_kit.kmmlu import build_requests
    data = load_kmmlu(SAMPLE, "Math", shots=5)
    ctx = {m: [r["context"] for r in build_requests(data, 5, m)] for m in ("harness", "first_n", "random")}
    assert ctx["harness"] != ctx["first_n"] and ctx["harness"] != ctx["random"] and len(set(ctx["first_n"])) == 12 \
        and len({c.rsplit("\n\n", 1)[0] for c in ctx["first_n"]}) == 1
    rc, out, err = cli("kmmlu", "--data", str(SAMPLE), "--subjects", "Math", "--shots", "2", "--limit", "2",
                       "--seed", "5", "--out", str(tmp_path), "--no-progress")
    assert rc == 0, err
    res = json.loads((tmp_path / "kmmlu_results.json").read_text(encoding="utf-8"))
    assert (res["fewshot"], res["fewshot_seed"], res["fewshot_split"]) == ("harness", 5, "dev")


def test_loglik_identical_to_harness(model_tok):
    from lm_eval.models.huggingface import HFLM
    from lm_eval.api.instance import Instance
    from aes_kit.harness import load_kmmlu, LETTERS
    from aes_kit.kmmlu import build_requests, loglik_choices
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


def _cot_hard_task_dir(tmp_path, subjects):
    "lm-eval's own kmmlu_cot_hard_<subject> task files (included unchanged), pointed at the local sample CSVs."
    import lm_eval
    src = Path(lm_eval.__file__).parent / "tasks" / "kmmlu" / "cot_hard"
    for s in subjects:
        slug = s.lower().replace("-", "_")
        (tmp_path / f"aeskit_cot_{slug}.yaml").write_text(
            f"include: {src / f'kmmlu_cot_hard_{slug}.yaml'}\ntask: aeskit_cot_{slug}\ntag: aeskit_cot_tasks\n"
            f"dataset_path: csv\ndataset_name: null\ndataset_kwargs:\n  data_files:\n"
            f"    dev: {SAMPLE / f'{s}-dev.csv'}\n    test: {SAMPLE / f'{s}-test.csv'}\n", encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def cot_tm(tmp_path_factory):
    "One TaskManager (indexing lm-eval's tasks takes tens of seconds) over the local kmmlu_cot_hard tasks."
    from lm_eval.tasks import TaskManager
    return TaskManager(include_path=str(_cot_hard_task_dir(tmp_path_factory.mktemp("cot"), SUBJECTS)))


@pytest.mark.parametrize("shots", [0, 5])
def test_cot_hard_prompt_identical_to_harness(shots, cot_tm):
    "style cot_hard: every sample question's context == the one lm-eval's kmmlu_cot_hard task builds; same stop."
    from lm_eval.tasks import get_task_dict
    from aes_kit.harness import load_kmmlu
    from aes_kit.kmmlu import cot_hard_requests, COT_HARD_STOPS
    tm = cot_tm
    ours = cot_hard_requests(load_kmmlu(SAMPLE, "all", shots=0), shots=shots)
    n = 0
    for s in SUBJECTS:
        name = "aeskit_cot_" + s.lower().replace("-", "_")
        task = get_task_dict([name], tm)[name]
        task.set_config(key="num_fewshot", value=shots)
        task.build_all_requests()
        theirs = {i.doc_id: i.arguments for i in task.instances}
        mine = [r for r in ours if r["subject"] == s]
        assert len(mine) == len(theirs) > 0, s
        for r in mine:
            ctx, kw = theirs[r["index"]]
            assert r["context"] == ctx, (s, r["index"])
            assert tuple(kw["until"]) == COT_HARD_STOPS
            n += 1
    assert n == len(ours) == 72


def test_cot_hard_answer_matches_harness_filter():
    "Our extraction == the harness's regex + take_first filter chain on awkward generations."
    from lm_eval.filters.extraction import RegexFilter
    from aes_kit.kmmlu import cot_hard_answer, COT_HARD_ANSWER
    gens = ["따라서, 정답은 (D) 입니다.", "정답은 B입니다.", "정답은(A)이고 정답은 C입니다.", "답: C", "",
            "정답은 (E) 입니다.", "정답은  D  라고 봅니다 입니다."]
    theirs = RegexFilter(regex_pattern=COT_HARD_ANSWER.pattern).apply([[g] for g in gens], [None] * len(gens))
    assert [cot_hard_answer(g) for g in gens] == [t[0] if t[0] != "[invalid]" else "" for t in theirs]


@pytest.mark.parametrize("args,msg", [
    (["--mode", "generate", "--engine", "vllm"], "needs vLLM on a GPU machine"),
    (["--engine", "vllm"], "is for --mode generate"),
])
def test_vllm_engine_refused_in_one_line_without_it(args, msg, tmp_path):
    "vLLM is GPU-only: without it (this CPU suite) the engine is refused in one line, before data or a model loads."
    import importlib.util
    if importlib.util.find_spec("vllm") is not None and "needs vLLM" in msg: pytest.skip("vLLM is installed here")
    rc, out, err = cli("kmmlu", "--data", str(SAMPLE), "--out", str(tmp_path / "k"), *args)
    assert rc == 2 and err.count("\n") == 1 and msg in err, err
    assert not (tmp_path / "k").exists()


def _subject_trees(reqs, enc, min_gain=32):
    "{subject: (question positions, prefix_tree nodes)} over each subject's context tokens."
    from aes_kit.harness import prefix_tree
    out = {}
    for s in dict.fromkeys(r["subject"] for r in reqs):
        members = [i for i, r in enumerate(reqs) if r["subject"] == s]
        out[s] = (members, prefix_tree([enc[i][0][0] for i in members], min_gain))
    return out


def test_example_boundaries_tokenize_like_the_whole_context(model_tok):
    """The harness tokenizes each context whole. Its tokens break exactly at every few-shot example boundary, and
    questions that share their first d examples share those tokens, so the prefix tree (built from the whole-context
    tokens) has a node for every leading run of examples that two questions share. Encoding a run of examples alone
    would NOT give those tokens with this tokenizer: the closing blank line alone is one token '\\n\\n', while inside
    the context, before the next example's text, it is '\\n' '\\n'. That is why the tree never encodes examples one
    by one; where a context's tokens did not break at a boundary, its question would share a shorter prefix."""
    from aes_kit.harness import load_kmmlu
    from aes_kit.kmmlu import build_requests, encode_pair, build_context, _tok_encode
    _, tok = model_tok
    data = load_kmmlu(SAMPLE, "all", shots=5)
    reqs = build_requests(data, shots=5)
    enc = [[encode_pair(tok, r["context"], " A")] for r in reqs]
    runs, alone_differs = {}, 0
    for i, r in enumerate(reqs):
        pool, ctx = data[r["subject"]]["dev"], enc[i][0][0]
        for d in range(1, 6):
            head = build_context(pool.iloc[0], [pool.iloc[j] for j in r["shots"][:d]]).rsplit("\n\n", 1)[0] + "\n\n"
            assert r["context"].startswith(head)
            alone = _tok_encode(tok, head)
            alone_differs += ctx[:len(alone)] != alone
            cut = [t for t in range(len(alone) - 2, len(alone) + 3) if tok.decode(ctx[:t]) == head]
            assert len(cut) == 1, (r["subject"], r["index"], d)             # a token boundary at the example's end
            n_tok, qs = runs.setdefault((r["subject"], r["shots"][:d]), (cut[0], []))
            assert ctx[:n_tok] == enc[qs[0]][0][0][:n_tok] if qs else True  # the same tokens for every sharer
            qs.append(i)
    assert alone_differs == 5*len(reqs)
    shared = {k: v for k, v in runs.items() if len(v[1]) > 1}
    assert len(shared) >= 12 and max(len(k[1]) for k in shared) >= 2     # runs of one and of two examples recur
    for s, (members, nodes) in _subject_trees(reqs, enc).items():
        under = [set() for _ in nodes]                                    # questions at or below each node
        for k in reversed(range(len(nodes))):
            under[k] |= {members[q] for q in nodes[k]["qs"]}
            if nodes[k]["parent"] is not None: under[nodes[k]["parent"]] |= under[k]
        for (subj, run), (n_tok, qs) in shared.items():
            if subj == s: assert any(t["n"] >= n_tok and set(qs) <= under[k] for k, t in enumerate(nodes)), run


@pytest.mark.parametrize("subjects,shots", [("Math,Health", 2), ("Health", 5)])
def test_prefix_tree_matches_each_question_alone(subjects, shots, model_tok):
    "The tree path (harness draws) == every question scored alone in one pass without a cache: same predictions."
    import numpy as np
    from aes_kit.harness import load_kmmlu, loglik_plan, LOGLIK_SETTINGS
    from aes_kit.kmmlu import build_requests, loglik_choices, encode_pair
    model, tok = model_tok
    reqs = build_requests(load_kmmlu(SAMPLE, subjects, shots=5), shots=shots)
    ctx, groups = [r["context"] for r in reqs], [r["subject"] for r in reqs]
    enc = [[encode_pair(tok, c, " " + x) for x in "ABCD"] for c in ctx]
    plan, _ = loglik_plan(enc, list(range(len(enc))), groups, LOGLIK_SETTINGS.fill({}))
    assert any(up is not None and plan[up][0] is not None for up, _, _ in plan.values())   # nodes below nodes
    tree = loglik_choices(model, tok, ctx, groups=groups, progress=False)
    alone = loglik_choices(model, tok, ctx, prefix_cache=False, batch_size=1, progress=False)
    assert (tree.argmax(1) == alone.argmax(1)).all()
    assert np.abs(tree - alone).max() < 1e-3


def test_prefix_tree_work_split_across_processes(model_tok, monkeypatch):
    "Two processes' shares of the work list (each walking its own path cache) give the rows one process gives."
    import numpy as np
    import aes_kit.harness as H
    from aes_kit.kmmlu import build_requests, encode_pair
    model, tok = model_tok
    reqs = build_requests(H.load_kmmlu(SAMPLE, "Health", shots=5), shots=5)
    enc = [[encode_pair(tok, r["context"], " " + x) for x in "ABCD"] for r in reqs]
    s = H.Settings(H.LOGLIK_SETTINGS.fill(dict(batch_size=2, progress=False)), max_length=8192)
    monkeypatch.setattr(H, "TREE_UNIT", 1)                                # many small units to deal out
    plan, units = H.loglik_plan(enc, list(range(len(enc))), [r["subject"] for r in reqs], s)
    one = H.loglik_rows(model, tok, enc, plan, units, s)
    parts = {}
    for rank in (0, 1):
        monkeypatch.setattr(H, "my_share", lambda u, r=rank: list(u)[r::2])
        parts.update(H.loglik_rows(model, tok, enc, plan, units, s))
    assert sorted(parts) == sorted(one) == list(range(len(reqs)))
    assert max(np.abs(np.array(parts[i]) - np.array(one[i])).max() for i in one) < 1e-5
