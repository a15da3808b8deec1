"""Multi-process training and evaluation under `accelerate launch` (2 CPU processes, gloo) against one process.

One launch runs every multi-process case through `tests/accel_job.py`, which executes each command exactly as
`python -m aes_kit.cli ARGS` (the README's entry point) does; the references run in this process.

On a CPU-only machine `accelerate launch --cpu --num_processes 2` starts ONE process (accelerate's multi-CPU path
needs mpirun); `--multi_gpu --num_processes 2` starts two through torchrun and they pick gloo when there is no GPU.
"""
import json, os, subprocess, sys, time
from pathlib import Path
import pytest

from aes_kit.cli import run_cli

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT/"data"/"aes_sample"/"train.jsonl"
TEST = ROOT/"data"/"aes_sample"/"test.jsonl"
KMMLU = ROOT/"data"/"kmmlu_sample"
LAUNCH = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
          "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
TOL_LOSS, TOL_LORA, TOL_GNORM = 1e-4, 5e-5, 1e-4   # fp32; padding and reduction order differ (LoRA update ~1e-2)


def env():
    e = dict(os.environ, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_DATASETS_OFFLINE="1",
             TOKENIZERS_PARALLELISM="false", PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"): e.pop(k, None)
    return e


def free_port()->int:
    "A free TCP port for the processes' rendezvous (the default 29500 may be taken by another run on the machine)."
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]


def launch(*args, timeout=300):
    "Run `accelerate launch` (2 processes) with `args`; returns (stdout, stderr); fails the test on a non-zero exit."
    p = subprocess.run([*LAUNCH, "--main_process_port", str(free_port()), *map(str, args)], cwd=ROOT, env=env(),
                       capture_output=True, text=True, timeout=timeout)
    errs = [l for l in p.stderr.splitlines() if "error" in l.lower() or "Error" in l]
    assert p.returncode == 0, "\n".join(errs[:20]) or p.stderr[-3000:]
    return p.stdout, p.stderr


def run_ok(*args):
    "One process, in this one (the reference): stdout of a command that must succeed."
    rc, o, e = run_cli(*args)
    assert rc == 0, e[-3000:]
    return o


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    "A tiny random Llama (3 M parameters) with the embedded model's tokenizer: training steps take milliseconds."
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM
    from aes_kit.model import load_tokenizer
    d = tmp_path_factory.mktemp("tiny")/"model"
    tok = load_tokenizer("smollm2-135m")
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=2, head_dim=16, max_position_embeddings=2048,
                      tie_word_embeddings=True, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                      pad_token_id=tok.pad_token_id)
    LlamaForCausalLM(cfg).save_pretrained(d); tok.save_pretrained(d)
    return d


CONFIGS = [("ce", 1), ("ce", 2), ("ntl", 1), ("ntl", 2)]   # loss, grad accum; ntl = CE + 2·NTL (composite trainer)
STEPS = 3


def train_args(model, out, loss, ga, per_device):
    return ["train", "--data", TRAIN, "--model", model, "--backend", "hf", "--out", out, "--loss", loss,
            "--batch-size", per_device, "--grad-accum", ga, "--max-steps", STEPS, "--save-steps", 2, "--ratio", 0.05,
            "--max-seq-length", 128, "--lr", 5e-3, "--lora-r", 4, "--seed", 7]


def lora(run):
    from safetensors.torch import load_file
    return load_file(str(run/"final_adapter"/"adapter_model.safetensors"))


def logged(run, key):
    hist = json.loads((run/f"checkpoint-{STEPS}"/"trainer_state.json").read_text())["log_history"]
    return [h[key] for h in hist if key in h and "train_runtime" not in h]


KMMLU_ARGS = ["--data", KMMLU, "--subjects", "Korean-History,Math,Health", "--shots", 1, "--limit", 2,
              "--batch-size", 2, "--no-progress"]
SCORE_ARGS = ["--model", "smollm2-135m", "--backend", "hf", "--data", TEST, "--limit", 3, "--batch-size", 1,
              "--max-new-tokens", 8, "--method", "generate,expected", "--name", "m"]


@pytest.fixture(scope="module")
def trained(tiny, tmp_path_factory):
    """One launch of 2 processes: each config with batch 1 per process, a resume, `aes-kit score` and `aes-kit kmmlu`;
    then the same configs in this one process with batch 2 (the same global batch) and the same evaluations."""
    base = tmp_path_factory.mktemp("train")
    jobs = [train_args(tiny, base/f"two-{l}-{g}", l, g, 1) for l, g in CONFIGS]
    # resume: from the 2-process composite run's checkpoint-2, in 2 processes, to step 3
    jobs.append(train_args(tiny, base/"resumed", "ntl", 2, 1) + ["--resume", base/"two-ntl-2"/"checkpoint-2"])
    jobs.append(["score", *SCORE_ARGS, "--out", base/"score-two"])
    jobs.append(["kmmlu", *KMMLU_ARGS, "--out", base/"kmmlu-two"])
    (base/"jobs.json").write_text(json.dumps([[str(a) for a in j] for j in jobs]))
    t0 = time.time()
    out, err = launch(ROOT/"tests"/"accel_job.py", base/"jobs.json")
    two_s = time.time() - t0
    t0 = time.time()
    for l, g in CONFIGS: run_ok(*train_args(tiny, base/f"one-{l}-{g}", l, g, 2))
    one_s = time.time() - t0
    run_ok("score", *SCORE_ARGS, "--out", base/"score-one")
    t0 = time.time()
    run_ok("kmmlu", *KMMLU_ARGS, "--out", base/"kmmlu-one")
    return dict(base=base, out=out, err=err, two_s=two_s, one_s=one_s, kmmlu_one_s=time.time() - t0)


@pytest.mark.parametrize("loss,ga", CONFIGS)
def test_two_processes_train_like_one(trained, loss, ga):
    one, two = trained["base"]/f"one-{loss}-{ga}", trained["base"]/f"two-{loss}-{ga}"
    s1 = json.loads((one/"train_summary.json").read_text())["stats"]
    s2 = json.loads((two/"train_summary.json").read_text())["stats"]
    assert s1["processes"] == 1 and s2["processes"] == 2
    assert s1["global_step"] == s2["global_step"] == STEPS
    assert max(abs(a - b) for a, b in zip(s1["losses"], s2["losses"])) < TOL_LOSS, (s1["losses"], s2["losses"])
    g1, g2 = logged(one, "grad_norm"), logged(two, "grad_norm")   # Adam hides a mis-scaled gradient; the norm does not
    assert len(g1) == STEPS and max(abs(a - b) / a for a, b in zip(g1, g2)) < TOL_GNORM, (g1, g2)
    w1, w2 = lora(one), lora(two)
    assert set(w1) == set(w2) and any(k.endswith("lora_B.weight") for k in w1)
    upd = max(float(w1[k].abs().max()) for k in w1 if "lora_B" in k)     # B starts at zero: B is the update
    assert upd > 1e-3                                                     # training moved the adapter
    diff = max(float((w1[k] - w2[k]).abs().max()) for k in w1)
    assert diff < TOL_LORA, diff
    print(f"{loss} ga{ga}: loss diff {max(abs(a - b) for a, b in zip(s1['losses'], s2['losses'])):.2e}, "
          f"grad-norm rel diff {max(abs(a - b) / a for a, b in zip(g1, g2)):.2e}, LoRA max abs diff {diff:.2e} "
          f"(update {upd:.2e})")


def test_two_processes_write_once_and_resume(trained):
    base, out = trained["base"], trained["out"]
    assert out.count("trained 3 steps") == len(CONFIGS) + 1           # rank 0's line only, once per run
    assert out.count(" examples · 1×") == len(CONFIGS) + 1
    for l, g in CONFIGS:
        run = base/f"two-{l}-{g}"
        cks = sorted(p.name for p in run.iterdir() if p.name.startswith("checkpoint-"))
        assert cks == ["checkpoint-2", "checkpoint-3"]
        assert (run/"checkpoint-3"/"rng_state_1.pth").exists()          # each rank's RNG, for an exact resume
        assert not [p for p in run.rglob(".*tmp-*")]                   # no half-written leftovers
    r = json.loads((base/"resumed"/"train_summary.json").read_text())["stats"]
    full = json.loads((base/"two-ntl-2"/"train_summary.json").read_text())["stats"]
    assert r["start_step"] == 2 and r["global_step"] == 3 and r["resumed_from"].endswith("checkpoint-2")
    assert abs(r["losses"][-1] - full["losses"][-1]) < TOL_LOSS
    w1, w2 = lora(base/"two-ntl-2"), lora(base/"resumed")
    assert max(float((w1[k] - w2[k]).abs().max()) for k in w1) < TOL_LORA
    print(f"2 processes {trained['two_s']:.1f}s (launch + 5 training runs + score + kmmlu), "
          f"1 process {trained['one_s']:.1f}s (4 runs)")


def test_kmmlu_split_across_processes(trained):
    "`aes-kit kmmlu` under the launcher: questions split by batch, one gathered result set, written by rank 0."
    import pandas as pd
    base = trained["base"]
    assert trained["out"].count("overall micro") == 1                    # rank 0 prints, once
    p1, p2 = (pd.read_csv(base/d/"kmmlu_predictions.csv") for d in ("kmmlu-one", "kmmlu-two"))
    assert len(p1) == len(p2) == 6
    ll = [c for c in p1 if c.startswith("ll_")]
    pd.testing.assert_frame_equal(p1.drop(columns=ll), p2.drop(columns=ll))   # same predictions, same order
    diff = float((p1[ll] - p2[ll]).abs().max().max())
    assert diff < 1e-6, diff
    r1, r2 = (json.loads((base/d/"kmmlu_results.json").read_text(encoding="utf-8")) for d in ("kmmlu-one", "kmmlu-two"))
    assert (r1["processes"], r2["processes"]) == (1, 2)
    for k in ("n", "accuracy_micro", "accuracy_macro", "per_subject", "per_category"): assert r1[k] == r2[k], k
    assert not list((base/"kmmlu-two").glob(".*"))                         # no temporary leftovers
    print(f"kmmlu: {len(p1)} questions, log-lik max abs diff {diff:.1e}; 1 process {trained['kmmlu_one_s']:.1f}s")


def test_score_split_across_processes(trained):
    "`aes-kit score` (generate + digit read-out) under the launcher: the same table and metrics as one process."
    import pandas as pd
    base = trained["base"]
    assert trained["out"].count("scoring 3 of") == 1                      # rank 0 logs, once
    t1, t2 = (pd.read_csv(base/d/"test_results_m.csv") for d in ("score-one", "score-two"))
    assert len(t1) == 3
    pd.testing.assert_frame_equal(t1, t2)                                  # same generations, read-outs, order
    m1, m2 = (json.loads((base/d/"metrics.json").read_text(encoding="utf-8")) for d in ("score-one", "score-two"))
    assert (m1["processes"], m2["processes"]) == (1, 2)
    for k in ("qwk", "mae", "invalid_rate", "methods"): assert m1[k] == m2[k], k
    files = sorted(p.name for p in (base/"score-two").iterdir())
    assert files == ["confusion_matrix.png", "metrics.json", "test_results_m.csv"]   # once, nothing half-written
