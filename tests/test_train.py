"""End-to-end checks of `aes-kit train` and the custom losses (fast: embedded model, a few short steps on CPU)."""
import json

import pytest
import torch

from aes_kit.core import data_dir
from aes_kit.cli import run_cli

TRAIN = data_dir()/"aes_sample"/"train.jsonl"
FAST = ["--model", "smollm2-135m", "--max-seq-length", "128", "--batch-size", "1", "--grad-accum", "1", "--lr", "1e-3"]




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
            labels = torch.where(torch.rand(2, 9, generator=g) < 0.5,
                                 digits[torch.randint(0, 10, (2, 9), generator=g)], labels)
        labels[torch.rand(2, 9, generator=g) < 0.3] = -100
        if trial == 7: labels[:] = -100
        for red in ("mean", "sum", "none"):
            assert torch.allclose(number_token_loss(logits, labels, tok, kind, red).float(),
                                  ref(logits, labels, reduction=red).float(), atol=1e-5), (trial, red)


def test_train_cli_errors():
    rc, out, err = run_cli("train", "--data", TRAIN, "--ratio", "0")
    assert rc == 2 and "argument --ratio: expected a finite number in (0, 1], got '0'" in err and err.count("\n") == 1
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


def test_truncation_is_never_silent(tok):
    import warnings
    from aes_kit.data import load_essays
    from aes_kit.prompts import sft_records, tokenize_example
    from aes_kit.train import tokenized_records
    from aes_kit.prompts import TruncationWarning
    rows = load_essays(TRAIN).select(range(6))
    full = [len(tokenize_example(r["prompt"], r["completion"], tok,
                                 10**9)["input_ids"]) for r in sft_records(rows, tok)]
    cut_at = sorted(full)[2]                                     # the three longest do not fit
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ds = tokenized_records(rows, tok, cut_at)
    assert [x.category for x in w] == [TruncationWarning]       # once, for the whole dataset
    msg = str(w[0].message)
    n_cut = sum(n > cut_at for n in full)
    assert f"{n_cut} of 6 training examples are longer than max_length={cut_at}" in msg
    assert f"max_length={max(full)} would fit them all" in msg
    assert max(len(x) for x in ds["input_ids"]) <= cut_at
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ds = tokenized_records(rows, tok, max(full))
    assert w == [] and [len(x) for x in ds["input_ids"]] == full   # nothing cut, nothing said


def test_readout_truncation_warns(tok):
    import warnings
    from aes_kit.data import load_essays
    from aes_kit.readout import score_distribution
    from aes_kit.prompts import TruncationWarning
    from types import SimpleNamespace

    class Flat(torch.nn.Module):
        def __init__(self): super().__init__(); self.w = torch.nn.Parameter(torch.zeros(1))
        def forward(self, input_ids, attention_mask=None, **kw):
            return SimpleNamespace(logits=torch.zeros(*input_ids.shape, len(tok)))
    rows = load_essays(data_dir()/"aes_sample"/"test.jsonl").select(range(3))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        P = score_distribution(Flat(), tok, rows, max_length=64)
    assert [x.category for x in w] == [TruncationWarning] and "3 of 3 scored prompts" in str(w[0].message)
    assert P.shape == (3, 6) and abs(P.sum(1) - 1).max() < 1e-6


@pytest.mark.parametrize("backend", ["hf", "auto"])
def test_composite_trainer_keeps_only_the_logits_it_needs(tmp_path, backend):
    from aes_kit.train import train_scorer
    from aes_kit.losses import composite_loss, _logits_span
    lab = torch.tensor([[-100, -100, -100, 5, 6, -100], [-100, -100, 7, 8, 9, 2]])
    assert _logits_span(lab) == 5 and _logits_span(torch.full((2, 4), -100)) == 4
    run = train_scorer(TRAIN, model="smollm2-135m", out_dir=tmp_path, dry_run=True, loss="ntl", batch_size=2,
                       max_seq_length=512, backend=backend, log=lambda *a: None)
    tr = run["trainer"]
    batch = tr.data_collator([tr.train_dataset[i] for i in range(2)])
    model = tr.model.eval()
    with torch.no_grad():
        got = tr.compute_loss(model, dict(batch))
        full = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        want = composite_loss(full, batch["labels"], tr.processing_class, ntl_weight=2.0, emo_weight=0.0)["loss"]
    assert abs(float(got) - float(want)) < 1e-4
