#!/usr/bin/env python3
"""The GPU paths the notebooks use, in one script, with peak memory and time per stage.

    python tools/gpu_smoke.py                  # CUDA: 7B/9B-shaped random models under a T4's 15 GB cap
    make gpu-smoke                             # CPU: the same stages on the tiny-model fixture (tools/tiny_hub.py)

On a CUDA machine without Hub access it builds random-initialised models from the real configs (Qwen2.5-7B and
Gemma-2-9B shapes, with the embedded tokenizer), caps the process at a T4's memory
(`torch.cuda.set_per_process_memory_fraction`) and runs, per model: Unsloth 4-bit load + LoRA; composite-loss
(CE+NTL+EMO) training at grad-accum 1 and 4 with the same effective batch (the logged losses must agree: the
`num_items_in_batch` trap); merge to 16-bit and 4-bit; a KMMLU batch; sampling. On CPU (what `make test` runs)
the stages are the same, on the fixture's tiny models under the presets' real repo ids, with fewer steps.
Exit status 1 when a stage fails or the grad-accum losses disagree.
"""
import argparse, json, os, sys, tempfile, time, traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHAPES = {  # the real configs' sizes (config.json of the Hub repos), random weights
    "qwen2.5-7b": ("Qwen2Config", dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
                                       num_attention_heads=28, num_key_value_heads=4, vocab_size=152064,
                                       max_position_embeddings=32768, rope_theta=1e6, tie_word_embeddings=False)),
    "gemma2-9b": ("Gemma2Config", dict(hidden_size=3584, intermediate_size=14336, num_hidden_layers=42,
                                      num_attention_heads=16, num_key_value_heads=8, head_dim=256, vocab_size=256000,
                                      attn_logit_softcapping=50.0, final_logit_softcapping=30.0,
                                      query_pre_attn_scalar=256, sliding_window=4096, tie_word_embeddings=True)),
}
T4_GIB = 15.0

def peak_gib()->float:
    import torch
    if torch.cuda.is_available(): return torch.cuda.max_memory_allocated() / 2**30
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20

class Stages:
    "Run named stages, record seconds and peak memory, keep going after a failure."
    def __init__(self): self.rows, self.failed = [], False
    def run(self, name, fn, *a, **kw):
        import torch
        if torch.cuda.is_available(): torch.cuda.reset_peak_memory_stats()
        t0 = time.time()
        try: out, note = fn(*a, **kw), "ok"
        except Exception as e:
            out, note, self.failed = None, f"FAILED: {type(e).__name__}: {str(e).splitlines()[0][:160]}", True
            if os.environ.get("AES_KIT_DEBUG"): traceback.print_exc()
        self.rows.append(dict(stage=name, seconds=round(time.time() - t0, 1), peak_gib=round(peak_gib(), 2), note=note))
        print(f"[gpu-smoke] {name}: {note} ({self.rows[-1]['seconds']}s, peak {self.rows[-1]['peak_gib']} GiB)",
              flush=True)
        return out

def random_model_dir(preset:str, work:Path)->str:
    "CUDA without a Hub: a random model of the preset's real shape, saved once (bf16) with the embedded tokenizer."
    import torch, transformers
    from aes_kit.model import load_tokenizer
    d = work/f"{preset}-random"
    if (d/"config.json").exists(): return str(d)
    cls, kw = SHAPES[preset]
    tok = load_tokenizer("smollm2-135m")
    cfg = getattr(transformers, cls)(bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                                     pad_token_id=tok.pad_token_id, **kw)
    torch.manual_seed(0)
    with torch.device("cuda"): m = transformers.AutoModelForCausalLM.from_config(cfg, dtype=torch.bfloat16)
    m.save_pretrained(d, max_shard_size="4GB"); tok.save_pretrained(d)
    del m; torch.cuda.empty_cache()
    return str(d)

def load_and_lora(name:str, seq:int):
    from aes_kit.model import load_model, add_lora, trainable_params
    m, tok = load_model(name, max_seq_length=seq)
    pm = add_lora(m, r=16, lora_alpha=16)
    t, n = trainable_params(pm)
    print(f"[gpu-smoke]   {type(m).__name__}, 4-bit {getattr(m, 'is_loaded_in_4bit', False)}, "
          f"trainable {t:,} / {n:,}", flush=True)
    del pm, m

def train(name:str, out:Path, steps:int, bs:int, ga:int, seq:int)->dict:
    from aes_kit.core import data_dir
    from aes_kit.train import train_scorer
    run = train_scorer(data_dir()/"aes_sample"/"train.jsonl", name, out_dir=out, max_steps=steps, save_steps=steps,
                       loss="ntl+emo", batch_size=bs, grad_accum=ga, max_seq_length=seq, lr=1e-4, seed=0,
                       log=lambda *a: None)
    st = run["stats"]
    print(f"[gpu-smoke]   bs {bs} x ga {ga}: losses {[round(x, 4) for x in st['losses']]}, "
          f"step {sum(st['step_s'])/max(len(st['step_s']), 1):.2f}s", flush=True)
    res = dict(losses=st["losses"], adapter=run["adapter_dir"])
    del run
    return res

def merge(adapter:str, out:Path):
    from aes_kit.export import merge_run
    r = merge_run(adapter, out, bits=4, log=lambda *a: None)
    print(f"[gpu-smoke]   sizes MB: {[(s['model'], s['size_mb']) for s in r['sizes']]}", flush=True)

def kmmlu_and_sampling(name:str, adapter:str):
    from aes_kit.core import data_dir
    from aes_kit.kmmlu import evaluate_kmmlu, load_kmmlu
    from aes_kit.scoring import load_scorer, generate_batch
    from aes_kit.prompts import essay_prompt
    from aes_kit.data import load_essays
    m, tok = load_scorer(name, adapter)
    res, _ = evaluate_kmmlu(m, tok, load_kmmlu(data_dir()/"kmmlu_sample", "all", 5, limit=2), shots=5,
                            batch_size=8, progress=False)
    print(f"[gpu-smoke]   KMMLU {res.get('n')} questions, accuracy {res.get('accuracy_micro')}", flush=True)
    prompts = [essay_prompt(r, tok) for r in load_essays(data_dir()/"aes_sample"/"test.jsonl").select(range(2))]
    outs = generate_batch(m, tok, prompts, 16, do_sample=True, temperature=0.7, num_return_sequences=4, seed=0,
                          progress=False)
    assert len(outs) == 2 and all(len(o) == 4 for o in outs), outs
    del m

def main(argv=None)->int:
    import torch
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="qwen2.5-7b,gemma2-9b", help="presets to run (comma list)")
    ap.add_argument("--steps", type=int, default=None, help="training steps per run (default 10 on CUDA, 2 on CPU)")
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    a = ap.parse_args(argv)
    cuda = torch.cuda.is_available()
    steps = a.steps or (10 if cuda else 2)
    seq = 1024 if cuda else 256
    if cuda:
        total = torch.cuda.get_device_properties(0).total_memory / 2**30
        print(f"[gpu-smoke] {torch.cuda.get_device_name(0)}: {total:.0f} GiB, capped at {T4_GIB} GiB (a "
              "T4)", flush=True)
    S = Stages()
    with tempfile.TemporaryDirectory(dir=a.work) as tmp:
        work = Path(tmp)
        for preset in a.models.split(","):
            name = S.run(f"{preset}: build random model", random_model_dir, preset, work) if cuda else preset
            if name is None: continue
            if cuda: torch.cuda.set_per_process_memory_fraction(min(1.0, T4_GIB / total))
            S.run(f"{preset}: 4-bit load + LoRA", load_and_lora, name, seq)
            r1 = S.run(f"{preset}: composite loss, ga 1", train, name, work/f"{preset}-ga1", steps, 4, 1, seq)
            r4 = S.run(f"{preset}: composite loss, ga 4", train, name, work/f"{preset}-ga4", steps, 1, 4, seq)
            if r1 and r4:
                tol = 2e-2 if cuda else 1e-3
                diff = max(abs(x - y) / max(abs(x), 1e-6) for x, y in zip(r1["losses"], r4["losses"]))
                ok = diff <= tol
                S.failed |= not ok
                print(f"[gpu-smoke]   loss scale ga1 vs ga4: max relative difference {diff:.2e} "
                      f"({'ok' if ok else 'MISMATCH'}, tolerance {tol})", flush=True)
                S.run(f"{preset}: merge 16-bit + 4-bit", merge, r1["adapter"], work/f"{preset}-merged")
                S.run(f"{preset}: KMMLU batch + sampling", kmmlu_and_sampling, name, r1["adapter"])
            if cuda: torch.cuda.set_per_process_memory_fraction(1.0)
    print(json.dumps(S.rows, indent=1))
    print("gpu-smoke: " + ("FAILED" if S.failed else "all stages passed"))
    return 1 if S.failed else 0

if __name__ == "__main__":
    sys.exit(main())
