"""Time one training step with the composite loss (CE + 2.0·NTL + 0.1·EMO) against a CE-only step on the same batch.

    python bench/bench_loss.py [--model smollm2-135m] [--backend auto|unsloth|hf] [--batch 4] [--seq 256] [--reps 8]

Both trainers wrap the same LoRA model and see the same collated batch; steps alternate (CE, composite, CE, ...) so
machine noise hits both alike. Reports the median forward+backward time of `trainer.training_step` per variant and the
ratio composite / CE (target <= 1.10). Writes bench/results/bench_loss.json.
"""
import statistics, sys, tempfile, time
from common import MODEL, Setting, bench_args, machine, write_result
from aes_kit.settings import BACKEND

def main(argv=None):
    a = bench_args("bench_loss", __doc__, argv, model=MODEL, backend=BACKEND,
                   batch=Setting(4, "essays in the batch", int, lo=1), seq=Setting(256, "tokens per essay", int, lo=1),
                   reps=Setting(8, "timed repetitions", int, lo=1), warmup=Setting(2, "untimed repetitions", int, lo=0),
                   data=Setting(None, "essay file (default data/aes_sample/train.jsonl)", "path"))
    import torch
    from aes_kit.core import data_dir
    from aes_kit.data import load_essays
    from aes_kit.model import load_model, add_lora, sft_trainer_class
    from aes_kit.train import tokenized_records, precision_for
    from aes_kit.model import hardware_profile
    from aes_kit.losses import composite_trainer_class
    hw = hardware_profile(); prec = precision_for(hw); cuda = torch.cuda.is_available()
    model, tok = load_model(a.model, max_seq_length=a.seq, dtype=prec["dtype"], backend=a.backend)
    model = add_lora(model, r=16, lora_alpha=16, gradient_checkpointing=cuda)
    from trl import SFTConfig          # after load_model: Unsloth must patch TRL first
    ds = load_essays(a.data or data_dir()/"aes_sample"/"train.jsonl").select(range(a.batch))
    recs = tokenized_records(ds, tok, a.seq)
    with tempfile.TemporaryDirectory() as d:
        cfg = SFTConfig(output_dir=d, per_device_train_batch_size=a.batch, report_to="none", save_strategy="no",
                        use_cpu=not cuda, fp16=cuda and prec["fp16"], bf16=cuda and prec["bf16"], padding_free=False,
                        max_length=a.seq, disable_tqdm=True)
        ce_tr = sft_trainer_class()(model=model, processing_class=tok, args=cfg, train_dataset=recs)
        variants = {"ce (SFTTrainer)": ce_tr,
                    "ce+ntl+emo (composite)": composite_trainer_class()(model=model, processing_class=tok, args=cfg,
                                                                        train_dataset=recs, ntl_weight=2.0,
                                                                        emo_weight=0.1),
                    "ce+ntl (composite)": composite_trainer_class()(model=model, processing_class=tok, args=cfg,
                                                                    train_dataset=recs, ntl_weight=2.0, emo_weight=0.0)}
        for tr in variants.values(): tr.current_gradient_accumulation_steps = 1   # normally set inside train()
        batch = next(iter(ce_tr.get_train_dataloader()))
        n_tok = int((batch["labels"][:, 1:] != -100).sum())
        times = {k: [] for k in variants}
        sync = torch.cuda.synchronize if cuda else (lambda: None)
        for rep in range(a.warmup + a.reps):
            for name, tr in variants.items():
                model.zero_grad(set_to_none=True)
                sync(); t = time.perf_counter()
                loss = tr.training_step(model, {k: v.clone() for k, v in batch.items()})
                sync(); dt = time.perf_counter() - t
                if rep >= a.warmup: times[name].append(dt)
                assert torch.isfinite(loss), name
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["ce (SFTTrainer)"]
    dev = machine()["device"]
    print(f"model {a.model} · backend {model.aes_backend} · {dev} · batch {a.batch} × "
          f"{batch['input_ids'].shape[1]} tokens "
          f"({n_tok} answer tokens) · {a.reps} reps after {a.warmup} warm-up\n")
    print(f"{'variant':<26}{'median ms':>11}{'min ms':>9}{'ratio':>8}")
    for k, v in times.items():
        print(f"{k:<26}{1000*med[k]:>11.1f}{1000*min(v):>9.1f}{med[k]/base:>8.3f}")
    ratio = med["ce+ntl+emo (composite)"] / base
    print(f"\ncomposite / CE-only step time: {ratio:.3f}x (target <= 1.10x) "
          f"-> {'OK' if ratio <= 1.10 else 'ABOVE TARGET'}")
    write_result("bench_loss", dict(model=a.model, backend=model.aes_backend, batch=a.batch,
                                    seq_tokens=int(batch["input_ids"].shape[1]), answer_tokens=n_tok, reps=a.reps,
                                    median_s=med, all_s=times, ratio=ratio))
    return 0 if ratio == ratio else 1

if __name__ == "__main__":
    sys.exit(main())
