"End-to-end CLI checks that cross modules: the KMMLU improvement loop feeds `aes-kit train`; the sweep CLI."
import json, subprocess
from aes_kit import cli
from aes_kit.core import data_dir
from aes_kit.kmmlu import load_kmmlu
from aes_kit.kmmlu_loop import cot_records, write_cot_jsonl

def test_cli_help_is_fast_and_lists_commands():
    out = subprocess.run(["aes-kit", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for cmd in ("env", "pilot", "demo", "validate", "train", "score", "baseline", "merge", "kmmlu",
                "sweep"): assert f"  {cmd}" in out.stdout

def test_cot_jsonl_from_kmmlu_trains(tmp_path):
    data = load_kmmlu(data_dir()/"kmmlu_sample", subjects="Math", shots=0)
    test = data["Math"]["test"].head(3).copy()
    test["subject"], test["category"] = "Math", "STEM"
    test["answer"] = ["ABCD"[int(a)-1] if str(a).isdigit() else a for a in test["answer"]]
    test["pred"] = [{"A": "B", "B": "C", "C": "D", "D": "A"}[a] for a in test["answer"]]   # wrong on purpose
    cot = write_cot_jsonl(tmp_path/"cot.jsonl", cot_records(test))
    assert cli.main(["validate", str(cot), "--task", "instruction"]) == 0
    run = tmp_path/"run"
    assert cli.main(["train", "--data", str(cot), "--max-steps", "1", "--save-steps", "1", "--out", str(run),
                      "--max-seq-length", "384", "--batch-size", "1"]) == 0
    assert (run/"final_adapter"/"adapter_config.json").exists()
    summary = json.loads((run/"train_summary.json").read_text(encoding="utf-8"))
    assert summary["stats"]["global_step"] == 1 and summary["stats"]["rows"] == 3

def test_sweep_bad_config_is_one_line(tmp_path, capsys):
    cfg = tmp_path/"c.yaml"; cfg.write_text("data: x.jsonl\nmodels: oops: [\n", encoding="utf-8")
    assert cli.main(["sweep", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "c.yaml" in err
