("Every training task trains one step and is scored with its own metrics (fast: embedded model, short sequences, "
 "CPU).")
import json
from pathlib import Path

import pytest

from aes_kit.core import data_dir

D = data_dir()
FILES = {"essay": D/"aes_sample"/"train.jsonl", "traits": D/"aes_sample"/"train.jsonl",
         "summary": D/"interview_sample.csv",
         "summary-eval": D/"summary_eval_sample.jsonl"}
FAST = ["--model", "smollm2-135m", "--max-seq-length", "320", "--batch-size", "1", "--grad-accum", "1", "--lr", "1e-3",
        "--max-steps", "1", "--save-steps", "5"]


@pytest.fixture(scope="module")
def adapters(tmp_path_factory, cli):
    "One 1-step adapter per task; summary and summary-eval with the task found from the file's columns."
    out = {}
    for task, f in FILES.items():
        d = tmp_path_factory.mktemp(task)
        flags = [] if task in ("summary", "summary-eval") else ["--task", task]
        rc, o, e = cli("train", "--data", f, "--out", d, *FAST, *flags)
        assert rc == 0, e[-2000:]
        out[task] = d
    return out


@pytest.mark.parametrize("task", list(FILES))
def test_each_task_trains_its_target(adapters, task):
    s = json.loads((adapters[task]/"train_summary.json").read_text(encoding="utf-8"))
    assert s["stats"]["task"] == task and s["stats"]["global_step"] == 1
    assert (adapters[task]/"final_adapter"/"adapter_config.json").exists()


def test_traits_adapter_reports_trait_qwk(adapters, cli, tmp_path):
    rc, o, e = cli("score", "--adapter", adapters["traits"]/"final_adapter", "--data", D/"aes_sample"/"test.jsonl",
                   "--out", tmp_path, "--task", "traits", "--limit", "2", "--max-new-tokens", "8")
    assert rc == 0, e[-2000:]
    m = json.loads((tmp_path/"metrics.json").read_text(encoding="utf-8"))
    meta = json.loads((D/"aes_sample"/"meta.json").read_text(encoding="utf-8"))
    assert set(m["trait_qwk"]) == set(meta["traits"]) and "mean_trait_qwk" in m


def test_summary_rouge_bleu_before_and_after(adapters, cli, tmp_path):
    for label, who in (("before", ["--model", "smollm2-135m"]), ("after",
                                                                 ["--adapter", adapters["summary"]/"final_adapter"])):
        rc, o, e = cli("score", *who, "--data", FILES["summary"], "--out", tmp_path/label, "--task", "summary",
                       "--limit", "2", "--max-new-tokens", "12")
        assert rc == 0, e[-2000:]
        m = json.loads((tmp_path/label/"metrics.json").read_text(encoding="utf-8"))
        assert m["task"] == "summary" and m["n"] == 2
        assert all(0 <= m[k] <= 1 for k in ("rouge1", "rouge2", "rougeL")) and 0 <= m["bleu"] <= 100
        assert "ROUGE-L" in o


def test_summary_eval_rubric_metrics(adapters, cli, tmp_path):
    rc, o, e = cli("score", "--adapter", adapters["summary-eval"]/"final_adapter", "--data", FILES["summary-eval"],
                   "--out", tmp_path, "--task", "summary-eval", "--limit", "3", "--max-new-tokens", "24")
    assert rc == 0, e[-2000:]
    m = json.loads((tmp_path/"metrics.json").read_text(encoding="utf-8"))
    assert set(m["parts"]) == {"content", "accuracy", "conciseness", "grammar"}
    assert {"qwk", "mae", "invalid_rate"} <= set(m["total"]) and 0 <= m["json_valid_rate"] <= 1
    assert next(Path(tmp_path).glob("test_results_*.csv")).exists()


def test_unknown_columns_fail_in_one_line(cli, tmp_path):
    p = tmp_path/"odd.csv"; p.write_text("title,body\n제목,본문\n", encoding="utf-8")
    rc, o, e = cli("train", "--data", p, *FAST, "--dry-run")
    assert rc != 0 and "cannot tell the task" in e and "--task" in e and len(e.strip().splitlines()) == 1
    rc, o, e = cli("train", "--data", p, "--task", "poem", "--dry-run")
    assert rc != 0 and "invalid choice" in e
