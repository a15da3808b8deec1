"""End-to-end checks of `aes-kit train` and the custom losses (fast: embedded model, a few short steps on CPU)."""
import io, json, contextlib
from pathlib import Path

import pytest
import torch

from aes_kit import core
from aes_kit.core import data_dir

TRAIN = data_dir()/"aes_sample"/"train.jsonl"
FAST = ["--model", "smollm2-135m", "--max-seq-length", "128", "--batch-size", "1", "--grad-accum", "1", "--lr", "1e-3"]


def run_cli(*args):
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        try: rc = core.main([str(a) for a in args])
        except SystemExit as x: rc = x.code or 0
    return rc, o.getvalue(), e.getvalue()


@pytest.fixture(scope="module")
def tok():
    from aes_kit.model import load_tokenizer
    return load_tokenizer("smollm2-135m")


@pytest.mark.parametrize("kind", ["mse", "was"])
def test_ntl_equals_ntloss(tok, kind):
    from ntloss import NTLoss, NTLossDotProduct
    from aes_kit.losses import number_token_loss, digit_token_ids
    ref = (NTLossDotProduct if kind == "mse" else NTLoss)(tok, digit_level=True, reweigh=False)
    digits = torch.tensor(digit_token_ids(tok)[0])
    g = torch.Generator().manual_seed(1)
    for trial in range(8):
        logits = torch.randn(2, 9, len(tok), generator=g) * 4
        labels = torch.randint(0, len(tok), (2, 9), generator=g)
        if trial % 2 == 0:
            labels = torch.where(torch.rand(2, 9, generator=g) < 0.5, digits[torch.randint(0, 10, (2, 9), generator=g)], labels)
        labels[torch.rand(2, 9, generator=g) < 0.3] = -100
        if trial == 7: labels[:] = -100
        for red in ("mean", "sum", "none"):
            assert torch.allclose(number_token_loss(logits, labels, tok, kind, red).float(),
                                  ref(logits, labels, reduction=red).float(), atol=1e-5), (trial, red)


def test_train_cli_errors():
    rc, out, err = run_cli("train", "--data", TRAIN, "--ratio", "0")
    assert rc == 2 and "--ratio must be in (0, 1]" in err and err.count("\n") == 1
    rc, out, err = run_cli("train", "--data", "nope.jsonl", "--dry-run")
    assert rc == 2 and err.count("\n") == 1
    rc, out, err = run_cli("train", "--data", TRAIN, "--resume", "/nonexistent/checkpoint-3", "--dry-run")
    assert rc == 2 and "not a training checkpoint" in err


def test_train_resume_and_composite(tmp_path):
    "CLI: an interrupted composite-loss run (killed after step 2) resumes from checkpoint-2 and finishes."
    out = tmp_path/"run"
    rc, o, e = run_cli("train", "--data", TRAIN, *FAST, "--out", out, "--max-steps", 2, "--save-steps", 2,
                       "--ratio", "0.02", "--loss", "ntl+emo")
    assert rc == 0, e
    s1 = json.loads((out/"train_summary.json").read_text())["stats"]
    assert s1["global_step"] == 2 and (out/"checkpoint-2"/"trainer_state.json").exists()
    assert set(s1["parts"]) == {"ce", "ntl", "emo"}                       # each part is logged
    assert (out/"final_adapter"/"adapter_config.json").exists() and (out/"loss_curve.png").exists()
    rc, o, e = run_cli("train", "--data", TRAIN, *FAST, "--out", out, "--max-steps", 3, "--save-steps", 2,
                       "--ratio", "0.02", "--loss", "ntl+emo", "--resume", "auto")
    assert rc == 0, e
    s2 = json.loads((out/"train_summary.json").read_text())["stats"]
    assert s2["start_step"] == 2 and s2["global_step"] == 3 and len(s2["step_s"]) == 1
    assert s2["resumed_from"].endswith("checkpoint-2")


def test_train_dry_run_config_override(tmp_path):
    cfg = tmp_path/"c.yaml"
    cfg.write_text(f"data: {TRAIN}\nmodel: smollm2-135m\ntrain:\n  max_steps: 7\n  max_seq_length: 128\n")
    rc, o, e = run_cli("train", "--config", cfg, "--out", tmp_path/"r", "--max-steps", 2, "--dry-run")
    assert rc == 0, e
    assert "dry run OK" in o and "2 steps planned" in o
    assert not (tmp_path/"r"/"final_adapter").exists()
