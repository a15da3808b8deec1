"""The pipeline's config.yaml and its three modes (pilot, train --config, sweep --config), early stopping, 8-bit loading
and the preset's prompt format from training to scoring.

The full-size model names (qwen2.5-7b, solar-10.7b, ...) resolve through the tiny Hub fixture, in a child process with
the smoke profile's environment, exactly as `make nbtest-smoke` runs the notebooks."""
import json, re
from pathlib import Path
import pytest

from aes_kit.cli import run_cli_process

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT/"config.yaml"
TRAIN = ROOT/"data"/"aes_sample"/"train.jsonl"
TEST = ROOT/"data"/"aes_sample"/"test.jsonl"
HEAVY = ("torch", "transformers", "datasets", "peft", "trl", "unsloth", "bitsandbytes", "accelerate")


BLOCK = ("import sys, importlib.abc\n"
         f"HEAVY = {HEAVY!r}\n"
         "class Block(importlib.abc.MetaPathFinder):\n"
         "    def find_spec(self, name, path=None, target=None):\n"
         "        if name.split('.')[0] in HEAVY: raise ImportError(f'blocked heavy import: {name}')\n"
         "sys.meta_path.insert(0, Block())\n")


def _aes(hub, *args, block_heavy=False):
    "`aes-kit ARGS` in a fresh process on the tiny Hub (smoke profile); with block_heavy, any torch-stack import fails."
    env = dict(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1", HF_HOME=str(hub),
               AES_KIT_PROFILE="smoke", AES_KIT_MAX_LIVE_MODELS="1", OMP_NUM_THREADS="1")
    return run_cli_process(*args, pre=BLOCK if block_heavy else "", env=env)


def test_train_dry_run_on_the_shipped_config(hub, tmp_path):
    ("`train --config config.yaml --dry-run`: the selected model (qwen2.5-7b), the config's batch/accumulation, "
     "chat prompts.")
    rc, out, err = _aes(hub, "train", "--config", CONFIG, "--dry-run", "--out", tmp_path/"run")
    assert rc == 0, err[-2000:]
    assert "2×8 per step" in out and "chat prompts" in out and "loss ntl" in out, out
    assert re.search(r"dry run OK: 240 examples, 45 steps planned", out), out    # 3 epochs of 240 rows at 16
    assert not (tmp_path/"run"/"final_adapter").exists()
    # the same file, another model: its per_model entry applies
    # (Solar: 1×16, Alpaca, since its tokenizer has no template)
    rc, out, err = _aes(hub, "train", "--config", CONFIG, "--dry-run", "--out", tmp_path/"solar", "--model",
                        "solar-10.7b")
    assert rc == 0, err[-2000:]
    assert "1×16 per step" in out and "alpaca prompts" in out, out
    # a flag still beats the per-model setting
    rc, out, err = _aes(hub, "train", "--config", CONFIG, "--dry-run", "--out", tmp_path/"s2", "--model", "solar-10.7b",
             "--batch-size", "4")
    assert rc == 0 and "4×16 per step" in out, out + err[-1000:]


def test_sweep_dry_run_loads_nothing(hub):
    "`sweep --config config.yaml --dry-run`: the plan per model for a T4, with no torch-stack import at all."
    rc, out, err = _aes(hub, "sweep", "--config", CONFIG, "--dry-run", "--hardware", "t4", block_heavy=True)
    assert rc == 0, err[-2000:]
    rows = {l.split()[0]: l.split() for l in out.splitlines()[1:] if l.strip() and not l.startswith("dry run")}
    assert list(rows) == ["qwen2.5-7b", "llama3.1-8b", "solar-10.7b", "gemma2-9b"], out
    solar = out.splitlines()[3]
    assert " 1 " in solar and " 16 " in solar and "1024" in solar and "alpaca" in solar, solar
    assert "chat" in out.splitlines()[1] and "4-bit" in out.splitlines()[1]
    assert "dry run OK: 4 model(s), nothing loaded or trained" in out


@pytest.mark.parametrize("cmd", ["train", "sweep"])
@pytest.mark.parametrize("old,new,want", [
    ("training:", "trainig:", "unknown section `trainig:` (did you mean `training`?)"),
    ("  num_epochs: 3", "  num_epoch: 3", "unknown setting `training.num_epoch` (did you mean `num_epochs`?)"),
    ("  test: data/aes_sample/test.jsonl", "  tset: data/aes_sample/test.jsonl",
     "unknown setting `data.tset` (did you mean `test`?)"),
    ("  solar-10.7b:\n", "  solar-10b:\n",
     "`per_model.solar-10b`: not a model of this config (did you mean `solar-10.7b`?)"),
    ("  learning_rate: 2.0e-4", "  learning_rate: fast", "`lr` must be a finite number (got 'fast')"),
])
def test_a_misspelled_config_fails_in_one_line(cli, tmp_path, cmd, old, new, want):
    text = CONFIG.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    bad = tmp_path/"config.yaml"
    bad.write_text(text.replace(old, new), encoding="utf-8")
    rc, out, err = cli(cmd, "--config", str(bad), "--dry-run")
    assert rc == 2 and err.count("\n") == 1 and want in err, (rc, err)


def test_pilot_uses_the_selected_model(hub):
    rc, out, err = _aes(hub, "pilot", "--config", CONFIG)
    assert rc == 0, err[-2000:]
    assert "qwen2.5-7b" in out and "pilot: OK" in out, out


def test_early_stopping_stops_and_keeps_the_best(cli, tmp_path):
    ("An improvement threshold no loss can clear: whatever the float noise in eval_loss, no evaluation counts as "
     "better, so patience 1 stops at the second evaluation; the adapter kept is the checkpoint of the lowest "
     "eval_loss seen.")
    out = tmp_path/"run"
    rc, o, e = cli("train", "--data", str(TRAIN), "--ratio", "0.05", "--max-steps", "6", "--batch-size", "2",
                   "--early-stopping-patience", "1", "--early-stopping-threshold", "1e9", "--eval-steps", "1",
                   "--out", str(out))
    assert rc == 0, e[-2000:]
    st = json.loads((out/"train_summary.json").read_text())["stats"]
    es = st["early_stopping"]
    assert st["global_step"] == 2 and es["stopped_early"] is True, es
    assert [x["step"] for x in es["evals"]] == [1, 2] and es["eval_rows"] == 1
    best = min(es["evals"], key=lambda x: (x["eval_loss"], x["step"]))   # ties: the first one stays the best
    assert es["best_metric"] == best["eval_loss"] and es["best_checkpoint"].endswith(f"checkpoint-{best['step']}"), es


def test_8bit_trains_one_step(cli, tmp_path):
    "bitsandbytes int8 weights + LoRA on CPU (the transformers+PEFT backend: Unsloth loads 8-bit on a GPU only)."
    out = tmp_path/"run"
    rc, o, e = cli("train", "--data", str(TRAIN), "--ratio", "0.02", "--max-steps", "1", "--load-in-8bit",
                   "--out", str(out))
    assert rc == 0, e[-2000:]
    st = json.loads((out/"train_summary.json").read_text())["stats"]
    assert st["backend"] == "hf" and st["global_step"] == 1 and st["losses"][0] > 0
    rc, o, e = cli("train", "--data", str(TRAIN), "--load-in-8bit", "--backend", "unsloth", "--dry-run",
                   "--out", str(out))
    assert rc == 2 and "needs backend='hf'" in e and e.count("\n") == 1, e


def test_the_prompt_format_travels_with_the_adapter(hub, tmp_path):
    "Solar trained with template=auto (Alpaca) is scored with template=auto: the adapter's record picks Alpaca again."
    run = tmp_path/"solar"
    rc, out, err = _aes(hub, "train", "--model", "solar-10.7b", "--data", TRAIN, "--ratio", "0.02", "--max-steps", "1",
                        "--out", run)
    assert rc == 0, err[-2000:]
    assert json.loads((run/"final_adapter"/"aes_kit_prompt.json").read_text()) == dict(template="alpaca", task="essay")
    rc, out, err = _aes(hub, "score", "--adapter", run/"final_adapter", "--data", TEST, "--limit", "2",
                        "--max-new-tokens", "4",
             "--out", tmp_path/"score")
    assert rc == 0, err[-2000:]
    assert json.loads((tmp_path/"score"/"metrics.json").read_text())["template"] == "alpaca"
