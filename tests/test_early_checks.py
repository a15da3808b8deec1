"""Bad input is refused before any model or heavy library loads, and a run's result files are replaced as one set.

Four patterns: side files of the wrong shape (adapter_config.json, export records), checks that used to run too late
(output folders, nan/inf numbers, shard sizes, sweep model names), config sections (unknown, wrong kind, YAML
positions), and result sets (an interrupt mid-write leaves the previous set whole, no temporary folder behind).
Every subcommand that `aes-kit --help` lists gets a bad argument of each kind it has, all run in ONE child process
that refuses to import torch/transformers/datasets/...: a command that got that far would show up as an attempt."""
import collections, json, os, re, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
ESSAYS = ROOT/"data"/"aes_sample"/"test.jsonl"
KMMLU = ROOT/"data"/"kmmlu_sample"
HEAVY = ("torch", "transformers", "datasets", "peft", "trl", "unsloth", "bitsandbytes", "accelerate")

# The child: block heavy imports (record each attempt), make load_model fail loudly, run every case through
# `aes_kit.cli.main` in-process, one JSON line per case.
DRIVER = r"""
import sys, json, time, io, contextlib, importlib.abc
HEAVY, attempts = set(sys.argv[2].split(",")), []
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HEAVY: attempts.append(name); raise ImportError(f"blocked heavy import: {name}")
sys.meta_path.insert(0, Block())
import aes_kit.model
def _no_load(*a, **k): raise RuntimeError("load_model was called")
aes_kit.model.load_model = _no_load
from aes_kit.cli import main, SUBCOMMANDS
for mod in list(sys.modules.values()):
    if getattr(mod, "load_model", None) is not None and getattr(mod, "__name__", "").startswith("aes_kit."):
        mod.load_model = _no_load
for line in open(sys.argv[1], encoding="utf-8"):
    case = json.loads(line); attempts.clear(); err = io.StringIO(); t = time.monotonic()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()): rc = main(case["argv"])
    except BaseException as e: rc, err = -1, io.StringIO(err.getvalue() + f"Traceback: {type(e).__name__}: {e}")
    print(json.dumps(dict(id=case["id"], rc=rc, err=err.getvalue(), seconds=time.monotonic() - t,
                          heavy=sorted(set(attempts)))), flush=True)
"""


def _adapter(d:Path, config:str)->Path:
    d.mkdir(parents=True); (d/"adapter_config.json").write_text(config, encoding="utf-8")
    (d/"adapter_model.safetensors").write_bytes(b"")
    return d


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    "A workspace of broken inputs: a plain file where a folder belongs, adapters and configs of the wrong shape."
    d = tmp_path_factory.mktemp("early")
    w = dict(d=d, file=d/"plain.txt", out=d/"out")
    w["file"].write_text("not a folder", encoding="utf-8")
    w["list_adapter"] = _adapter(d/"list_adapter", "[]")
    w["nobase_adapter"] = _adapter(d/"nobase_adapter", '{"peft_type": "LORA", "r": 8}')
    w["numbase_adapter"] = _adapter(d/"numbase_adapter", '{"peft_type": "LORA", "base_model_name_or_path": 7}')
    cfgs = {"section.yaml": f"data: {ESSAYS}\ntrian:\n  max_steps: 3\n",
            "tab.yaml": f"data: {ESSAYS}\ntrain:\n\tmax_steps: 3\n",
            "train_list.yaml": f"data: {ESSAYS}\ntrain:\n  - max_steps: 3\n",
            "nan.yaml": f"data: {ESSAYS}\nepochs: .nan\n",
            "sweep_inf.yaml": f"models: [smollm2-135m]\ndata: {ESSAYS}\nout_dir: {d/'sweep'}\nlr: .inf\n",
            "sweep_model.yaml": f"models: [smollm2-135m, qwen-7]\ndata: {ESSAYS}\nout_dir: {d/'sweep'}\n",
            "sweep_section.yaml": f"models: [smollm2-135m]\ndata: {ESSAYS}\nout_dir: {d/'sweep'}\nscroe:\n  limit: 3\n",
            "sweep_score.yaml": f"models: [smollm2-135m]\ndata: {ESSAYS}\nout_dir: {d/'sweep'}\nscore: {{limit: "
                                f"nan}}\n"}
    for k, v in cfgs.items(): (d/k).write_text(v, encoding="utf-8"); w[k] = d/k
    (d/"sweep").mkdir(); (d/"sweep"/"sweep_results.csv").write_text("model,status\nold-model,ok\n", encoding="utf-8")
    return w


E = "smollm2-135m"
def CASES(w):
    "(subcommand, kind, argv, fragments the one line must hold)."
    f, o, essays = w["file"], w["out"], ESSAYS
    score = ["score", "--model", E, "--data", essays, "--out", o]
    cons = ["consistency", "--model", E, "--data", essays, "--out", o]
    base = ["baseline", "--train", essays, "--test", essays, "--out", o]
    return [
        ("env", "choice", ["env", "--jsn"], ["--jsn"]),
        ("pilot", "path", ["pilot", "--model", w["d"]/"no-model"], ["no-model", "no such model directory"]),
        ("pilot", "number", ["pilot", "--steps", "nan"], ["--steps", "'nan'"]),
        ("pilot", "choice", ["pilot", "--backend", "tpu"], ["--backend", "'tpu'"]),
        ("demo", "path", ["demo", "--out", f], ["--out", "plain.txt", "is a file"]),
        ("demo", "number", ["demo", "--steps", "inf"], ["--steps", "'inf'"]),
        ("demo", "choice", ["demo", "--model", "qwen-7"], ["--model", "unknown model 'qwen-7'"]),
        ("validate", "path", ["validate", w["d"]/"missing.csv"], ["missing.csv"]),
        ("validate", "number", ["validate", essays, "--min-score", "nan"], ["--min-score", "'nan'"]),
        ("validate", "choice", ["validate", essays, "--task", "poem"], ["--task", "'poem'"]),
        ("data convert", "path", ["data", "convert", w["d"]/"no-download", "--out", o/"x.jsonl"],
         ["no-download", "no such file or folder"]),
        ("data convert", "number", ["data", "convert", essays, "--out", o/"x.jsonl", "--limit", "0"],
         ["--limit", "'0'"]),
        ("data convert", "choice", ["data", "convert", essays, "--out", o/"x.jsonl", "--format", "toefl"],
         ["--format", "'toefl'"]),
        ("train", "path", ["train", "--data", w["d"]/"none.jsonl"], ["--data", "none.jsonl", "no such file"]),
        ("train", "path", ["train", "--data", essays, "--out", f], ["--out", "is a file"]),
        ("train", "path", ["train", "--data", essays, "--resume", w["d"]/"checkpoint-9"], ["--resume", "checkpoint-9"]),
        ("train", "number", ["train", "--data", essays, "--epochs", "nan"], ["--epochs", "'nan'"]),
        ("train", "number", ["train", "--data", essays, "--lr=-inf"], ["--lr", "'-inf'"]),
        ("train", "choice", ["train", "--data", essays, "--loss", "mae"], ["--loss", "'mae'"]),
        ("train", "config", ["train", "--config", w["section.yaml"]], ["section.yaml", "`trian:`", "train, score"]),
        ("train", "config", ["train", "--config", w["tab.yaml"]], ["tab.yaml", "line 3, column 1", "tabs"]),
        ("train", "config", ["train", "--config", w["train_list.yaml"]], ["train_list.yaml", "`train:`", "got a list"]),
        ("train", "config", ["train", "--config", w["nan.yaml"]], ["nan.yaml", "`epochs`", "finite number"]),
        ("score", "path", [*score[:-1], f], ["--out", "is a file"]),
        ("score", "path", ["score", "--model", E, "--data", w["d"], "--out", o], ["--data", "is a directory"]),
        ("score", "number", [*score, "--batch-size", "nan"], ["--batch-size", "'nan'"]),
        ("score", "choice", [*score, "--method", "guess"], ["--method", "'guess'"]),
        ("score", "config", ["score", "--adapter", w["list_adapter"], "--data", essays, "--out", o],
         ["list_adapter", "adapter_config.json", "got list"]),
        ("score", "config", ["score", "--adapter", w["nobase_adapter"], "--data", essays, "--out", o],
         ["nobase_adapter", "base_model_name_or_path"]),
        ("baseline", "path", ["baseline", "--train", w["d"]/"none.jsonl", "--test", essays, "--out", o],
         ["--train", "none.jsonl", "no such file"]),
        ("baseline", "path", [*base[:-1], f], ["--out", "is a file"]),
        ("baseline", "number", [*base, "--limit", "nan"], ["--limit", "'nan'"]),
        ("baseline", "choice", [*base, "--fit-by", "rater"], ["--fit-by", "'rater'"]),
        ("merge", "path", ["merge", "--adapter", w["d"]/"no-adapter"], ["no-adapter", "no such directory"]),
        ("merge", "path", ["merge", "--adapter", w["nobase_adapter"], "--out", f], ["--out", "is a file"]),
        ("merge", "number", ["merge", "--adapter", w["nobase_adapter"], "--max-shard-size", "2GiB"],
         ["--max-shard-size", "'2GiB'"]),
        ("merge", "number", ["merge", "--adapter", w["nobase_adapter"], "--check", "-1"], ["--check", "'-1'"]),
        ("merge", "choice", ["merge", "--adapter", w["nobase_adapter"], "--bits", "8"], ["--bits", "8"]),
        ("merge", "config", ["merge", "--adapter", w["list_adapter"]], ["list_adapter", "got list"]),
        ("merge", "config", ["merge", "--adapter", w["nobase_adapter"]],
         ["nobase_adapter", "base_model_name_or_path", "--model"]),
        ("merge", "config", ["merge", "--adapter", w["numbase_adapter"]],
         ["numbase_adapter", "expected a model name, got 7"]),
        ("kmmlu", "path", ["kmmlu", "--data", w["d"]/"no-kmmlu"], ["--data", "no-kmmlu"]),
        ("kmmlu", "path", ["kmmlu", "--data", KMMLU, "--out", f], ["--out", "is a file"]),
        ("kmmlu", "number", ["kmmlu", "--data", KMMLU, "--shots", "nan"], ["--shots", "'nan'"]),
        ("kmmlu", "choice", ["kmmlu", "--data", KMMLU, "--subjects", "Astrology"], ["--subjects", "'Astrology'"]),
        ("kmmlu", "config", ["kmmlu", "--data", KMMLU, "--adapter", w["list_adapter"]], ["list_adapter", "got list"]),
        ("consistency", "path", ["consistency", "--model", E, "--data", w["d"]/"none.jsonl", "--out", o],
         ["--data", "none.jsonl"]),
        ("consistency", "number", [*cons, "--temperature", "nan"], ["--temperature", "'nan'"]),
        ("consistency", "number", [*cons, "--top-p", "inf"], ["--top-p", "'inf'"]),
        ("consistency", "choice", [*cons, "--engine", "tpu"], ["--engine", "'tpu'"]),
        ("consistency", "config", ["consistency", "--adapter", w["nobase_adapter"], "--data", essays, "--out", o],
         ["nobase_adapter", "base_model_name_or_path"]),
        ("sweep", "path", ["sweep", "--config", w["d"]/"none.yaml"], ["none.yaml", "not found"]),
        ("sweep", "number", ["sweep", "--config", w["sweep_inf.yaml"]], ["sweep_inf.yaml", "`lr`", "finite number"]),
        ("sweep", "choice", ["sweep", "--config", w["sweep_model.yaml"]], ["`models`", "unknown model 'qwen-7'"]),
        ("sweep", "config", ["sweep", "--config", w["sweep_section.yaml"]], ["`scroe:`", "known sections"]),
        ("sweep", "config", ["sweep", "--config", w["sweep_score.yaml"]], ["`score.limit`", "'nan'"]),
    ]


@pytest.fixture(scope="module")
def results(ws):
    "Run every case in one child process that refuses heavy imports; {case id: result}."
    cases = CASES(ws)
    plan = ws["d"]/"cases.jsonl"
    plan.write_text("".join(json.dumps(dict(id=i, argv=[str(a) for a in c[2]])) + "\n" for i, c in enumerate(cases)),
                    encoding="utf-8")
    env = {**os.environ, "AES_KIT_DEBUG": "", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "HF_DATASETS_OFFLINE": "1"}
    r = subprocess.run([sys.executable, "-c", DRIVER, str(plan), ",".join(HEAVY)], capture_output=True, text=True,
                       cwd=ROOT, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    out = {d["id"]: d for d in map(json.loads, r.stdout.splitlines())}
    assert len(out) == len(cases), r.stderr[-3000:]
    return out


def test_every_subcommand_gets_each_kind_of_bad_argument(ws):
    "The table covers every subcommand `aes-kit --help` lists, with each kind of argument that subcommand has."
    from aes_kit.cli import main
    import io, contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf): main(["--help"])
    listed = [re.split(r"\s{2,}", l.strip())[0] for l in buf.getvalue().split("commands:")[1].splitlines() if l.strip()]
    kinds = {}
    for sub, kind, *_ in CASES(ws): kinds.setdefault(sub, set()).add(kind)
    assert set(listed) == set(kinds), (listed, kinds)
    for sub in listed:
        want = {"choice"} if sub == "env" else {"path", "number", "choice"}
        if sub in ("train", "score", "merge", "kmmlu", "consistency", "sweep"): want.add("config")
        assert want <= kinds[sub], (sub, kinds[sub])


N_CASES = len(CASES(collections.defaultdict(lambda: Path("/x"))))

@pytest.mark.parametrize("i", range(N_CASES))
def test_bad_argument_is_one_line_before_any_model(ws, results, i):
    cases = CASES(ws)
    sub, kind, argv, frags = cases[i]
    r = results[i]
    lines = r["err"].strip().splitlines()
    assert r["rc"] == 2, (sub, kind, r)
    assert 1 <= len(lines) <= 3 and "Traceback" not in r["err"], r["err"]
    assert lines[0].startswith(f"aes-kit {sub}: error:"), r["err"]
    for f in frags: assert str(f) in r["err"], (f, r["err"])
    assert r["heavy"] == [], (sub, kind, r["heavy"])     # nothing tried to import torch & co, so no model loaded
    # generous: a loaded machine; the import block above is the real proof
    assert r["seconds"] < 20, r


def test_sweep_with_unknown_model_leaves_previous_sweep_alone(ws, results):
    "The unknown name is found before training starts: the previous sweep folder is byte for byte as it was."
    assert results[[c[2] for c in CASES(ws)].index(["sweep", "--config", ws["sweep_model.yaml"]])]["rc"] == 2
    assert sorted(p.name for p in (ws["d"]/"sweep").iterdir()) == ["sweep_results.csv"]
    assert (ws["d"]/"sweep"/"sweep_results.csv").read_text(encoding="utf-8") == "model,status\nold-model,ok\n"
    assert not [p for p in ws["d"].iterdir() if ".tmp-" in p.name]


# ---- side files of the wrong shape, read where they are used ---------------------------------------------------
def test_export_record_of_the_wrong_shape_means_merge_again(tmp_path):
    "A merged dir whose aes_kit_export.json is a list, broken, or not UTF-8 is not reused (merged again), not a crash."
    from aes_kit.merge import is_fresh, EXPORT_META
    a = _adapter(tmp_path/"a", '{"peft_type": "LORA", "base_model_name_or_path": "smollm2-135m"}')
    m = tmp_path/"merged-16bit"; m.mkdir()
    for content in (b"[1, 2]", b'{"base": ', b'{"base": "\xff"}', b"[" * 50000):
        (m/EXPORT_META).write_bytes(content)
        assert is_fresh(m, a, "smollm2-135m") is False


def test_model_dir_config_of_the_wrong_shape(tmp_path):
    "A --model folder whose config.json is a list: one line naming the file where it is read."
    from aes_kit.core import read_json, AesKitError
    from aes_kit.merge import declared_4bit
    d = tmp_path/"model"; d.mkdir(); (d/"config.json").write_text('[{"model_type": "qwen2"}]', encoding="utf-8")
    with pytest.raises(AesKitError, match=r"config.json: expected a JSON object \{\.\.\.\}, "
                                          r"got list"): read_json(d/"config.json")
    assert declared_4bit(d) is False
    (d/"config.json").write_text('{"quantization_config": [4]}', encoding="utf-8")
    assert declared_4bit(d) is False


def test_samples_file_line_of_the_wrong_shape(tmp_path):
    "A samples.jsonl line that is JSON but not an object is one line naming file and line, not a TypeError later."
    from aes_kit.core import AesKitError
    from aes_kit.consistency import read_samples
    p = tmp_path/"samples.jsonl"; p.write_text('{"id": "e1", "k": 0}\n[1, 2]\n{"id": "e1", "k": 1}\n', encoding="utf-8")
    with pytest.raises(AesKitError, match=r"samples.jsonl:2: expected a JSON object per line, "
                                          r"got list"): read_samples(p)


# ---- config files: every section checked, YAML positions kept ---------------------------------------------------
@pytest.mark.parametrize("text,frags", [
    ("max_steps: 3\nscore:\n  temperature: 0.7\n", ["unknown `score` setting(s) temperature", "limit"]),
    ("max_steps: 3\nscore: [limit, 3]\n", ["section `score:` must be a mapping", "got a list"]),
    ("max_steps: 3\nkmmlu:\n  shots: 5\n", ["unknown section `kmmlu:`", "known sections: train, score"]),
    ("max_steps: 3\nlr: {value: 1}\n", ["unknown section `lr:`"]),
    ("train:\n  max_steps: 3\n  loss: ce\n   lr: 1\n", ["line 4, column", "mapping values are not allowed"]),
    ("model: [a, b]\n", ["`model` must be a single value"]),
    ("- max_steps: 3\n", ["expected a mapping of settings", "got a list"]),
    ("train:\n  max_stepz: 3\n", ["unknown setting `train.max_stepz`", "max_steps"]),
])
def test_config_sections_and_yaml_errors(tmp_path, text, frags):
    from aes_kit.core import AesKitError
    from aes_kit.settings import load_config
    p = tmp_path/"c.yaml"; p.write_text(text, encoding="utf-8")
    with pytest.raises(AesKitError) as e: load_config(p)
    msg = str(e.value)
    assert "\n" not in msg and str(p) in msg, msg
    for f in frags: assert f in msg, (f, msg)


def test_config_not_utf8_names_the_byte(tmp_path):
    from aes_kit.core import AesKitError
    from aes_kit.settings import load_config
    p = tmp_path/"c.yaml"; p.write_bytes("max_steps: 3\nmodel: 모델\n".encode("cp949"))
    with pytest.raises(AesKitError, match=r"not UTF-8 text \(byte 0x[0-9a-f]{2} at offset 20\)"): load_config(p)


def test_good_config_with_both_sections(tmp_path):
    from aes_kit.settings import read_config
    p = tmp_path/"c.yaml"
    p.write_text("models: [smollm2-135m]\nmodel: smollm2-135m\ntrain:\n  max-steps: 4\n  lr: 1e-3\n"
                 "score:\n  limit: 5\n  template: alpaca\n", encoding="utf-8")
    c = read_config(p)
    assert c["train"] == dict(model="smollm2-135m", max_steps=4, lr=1e-3)
    assert c["score"] == dict(limit=5, template="alpaca") and c["models"] == ["smollm2-135m"]


# ---- result sets: replaced together, or not at all ---------------------------------------------------------------
class _Stop(Exception): pass

def _fake_scoring(monkeypatch, score:int):
    "score_file without a model: load_scorer returns nothing, every generation says `score`."
    import aes_kit.scoring as S
    monkeypatch.setattr(S, "load_scorer", lambda *a, **k: (None, None))
    monkeypatch.setattr(S, "generate_batch", lambda m, t, prompts,
                        **k: [f'{{"score": {score}, "feedback": "f"}}'] * len(prompts))


def _snapshot(d:Path)->dict:
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())}


@pytest.mark.parametrize("interrupt", ["KeyboardInterrupt", "Terminated"])
def test_score_interrupted_mid_write_keeps_previous_set(tmp_path, monkeypatch, capsys, interrupt):
    "Ctrl-C or SIGTERM after the results CSV is written: the previous CSV, metrics.json and plot stay as they were."
    import aes_kit.scoring as S
    from aes_kit.cli import main, Terminated
    out = tmp_path/"score"
    argv = ["score", "--model", E, "--data", str(ESSAYS), "--out", str(out), "--template", "alpaca", "--limit", "4"]
    _fake_scoring(monkeypatch, 2)
    assert main(argv) == 0
    before = _snapshot(out)
    assert sorted(before) == ["confusion_matrix.png", "metrics.json", "test_results_smollm2-135m.csv"]
    _fake_scoring(monkeypatch, 4)                                 # a new run would write other predictions
    exc = KeyboardInterrupt if interrupt == "KeyboardInterrupt" else Terminated
    def boom(*a, **k): raise exc()
    monkeypatch.setattr(S, "plot_confusion", boom)               # the CSV of the new set is already written
    capsys.readouterr()
    rc = main(argv)
    err = capsys.readouterr().err
    assert (rc, err.strip()) == ((130, "aes-kit score: interrupted") if exc is KeyboardInterrupt
                                 else (143, "aes-kit score: interrupted (SIGTERM)"))
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["score"]    # no temporary folder left


def test_score_set_replaces_stale_results_but_keeps_other_files(tmp_path, monkeypatch):
    "A new label's CSV replaces the old label's (one set), while an adapter in the same folder stays."
    from aes_kit.scoring import score_file
    _fake_scoring(monkeypatch, 3)
    out = tmp_path/"run"; (out/"final_adapter").mkdir(parents=True); (out/"final_adapter"/"a.txt").write_text("keep")
    score_file(ESSAYS, out, model=E, limit=3, template="alpaca", name="old", log=lambda *a: None)
    m = score_file(ESSAYS, out, model=E, limit=3, template="alpaca", name="new", log=lambda *a: None)
    assert sorted(p.name for p in out.iterdir()) == ["confusion_matrix.png", "final_adapter", "metrics.json",
                                                     "test_results_new.csv"]
    assert m["files"]["results"] == str(out/"test_results_new.csv")
    assert json.loads((out/"metrics.json").read_text(encoding="utf-8"))["name"] == "new"


def _fake_kmmlu(monkeypatch, pred:str):
    "run_kmmlu without a model: every question answered `pred`."
    import pandas as pd
    import aes_kit.kmmlu as K
    def evaluate(m, tok, data, shots, mode, *a, **kw):
        rows = [dict(subject=s, index=int(i), category=K.category_of(s), answer="A", pred=pred, correct=pred == "A")
                for s, d in data.items() for i in d["test"]["index"]]
        preds = pd.DataFrame(rows)
        return dict(mode=mode, shots=shots, **K.summarize(preds)), preds
    monkeypatch.setattr(K, "load_for_eval", lambda *a, **k: (None, None))
    monkeypatch.setattr(K, "evaluate_kmmlu", evaluate)


@pytest.mark.parametrize("where", ["plot_categories", "write_json"])
def test_kmmlu_interrupted_mid_write_keeps_previous_set(tmp_path, monkeypatch, where):
    import aes_kit.kmmlu as K
    out = tmp_path/"kmmlu"
    _fake_kmmlu(monkeypatch, "A")
    K.run_kmmlu(None, KMMLU, out, subjects="Math", shots=0, limit=3, progress=False)
    before = _snapshot(out)
    assert sorted(before) == sorted(K.KMMLU_FILES)
    _fake_kmmlu(monkeypatch, "B")
    def boom(*a, **k): raise KeyboardInterrupt
    monkeypatch.setattr(K, where, boom)                           # after the predictions CSV (and the chart)
    with pytest.raises(KeyboardInterrupt): K.run_kmmlu(None, KMMLU, out, subjects="Math", shots=0, limit=3,
                                                       progress=False)
    assert _snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["kmmlu"]


def test_result_set_error_in_a_new_folder_leaves_nothing(tmp_path):
    "A first run that fails leaves neither the folder nor a temporary one."
    from aes_kit.core import result_set
    with pytest.raises(_Stop):
        with result_set(tmp_path/"new", owns=("*.json",)) as t: (t/"a.json").write_text("{}"); raise _Stop
    assert list(tmp_path.iterdir()) == []


def test_result_set_commit_holds_signals_back(tmp_path):
    "A SIGTERM that arrives while the set is swapped in is delivered after the swap: the new set is whole."
    import signal
    from aes_kit.core import result_set
    out = tmp_path/"o"
    with result_set(out) as t: (t/"a.csv").write_text("old"); (t/"m.json").write_text("old")
    got = []
    prev = signal.signal(signal.SIGTERM, lambda *a: got.append(sorted(p.read_text() for p in out.iterdir())))
    try:
        import aes_kit.core as C
        real, sent = C.os.rename, []
        def rename(a, b):                       # one SIGTERM in the middle of the swap
            real(a, b)
            if not sent and Path(b).parent == out: sent.append(1); os.kill(os.getpid(), signal.SIGTERM)
        C.os.rename = rename
        try:
            with result_set(out, owns=("*.csv", "*.json")) as t:
                (t/"a.csv").write_text("new"); (t/"m.json").write_text("new")
        finally: C.os.rename = real
    finally: signal.signal(signal.SIGTERM, prev)
    assert got == [["new", "new"]]              # the handler ran once both new files were in place
    assert sorted(p.read_text() for p in out.iterdir()) == ["new", "new"]
