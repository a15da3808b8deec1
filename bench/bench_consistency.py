"""Self-consistency sampling: the prompt prefilled once (aes_kit.consistency.hf_sample) vs the usual ways, side by side.

    OMP_NUM_THREADS=1 python bench/bench_consistency.py [--limit 8] [--m 16] [--chunk-m 16] [--batch-size 4]
                                                       [--train-steps 6] [--adapter DIR] [--model smollm2-135m]

m samples per essay of the sample test split, drawn three ways in one process with the same settings:
  ours  `hf_sample`: each essay's prompt encoded once, its KV cache copied for `chunk_m` samples (batched across essays)
  (a)   one `generate` call per sample (the prompt encoded m times, one sequence at a time)
  (b)   `generate(num_return_sequences=chunk_m)` per essay (the prompt copied and encoded m times, in one batch)
Prints samples/second, the speed-ups (targets: >= 4x (a), >= 1.5x (b)) and each way's parse-valid rate (`parse_score`).
`--train-steps N` first trains a tiny adapter (notebook 02's `train_scorer`) so the samples are JSON and the valid
rates say something; the untrained embedded model answers no JSON (0 % valid for every way).
Every way samples softmax(logits / T) (generate's implicit top_k=50 is switched off). Writes
bench/results/bench_consistency.json.
"""
import sys, tempfile, time
from pathlib import Path
from common import BACKEND_HF, MODEL, Setting, bench_args, machine, write_result


def main(argv=None):
    a = bench_args(
        "bench_consistency", __doc__, argv, model=MODEL,
        adapter=Setting(None, "LoRA adapter dir (default: none, or the one --train-steps trains)"),
        train_steps=Setting(0, "train a tiny adapter first (6 steps: ~1 min on a CPU)", int, lo=0),
        backend=BACKEND_HF, limit=Setting(None, "essays (default: the whole test split, 60)", int, lo=1),
        m=Setting(16, "samples per essay", int, lo=1),
        chunk_m=Setting(16, "samples per essay decoded together (ours and (b))", int, lo=1),
        batch_size=Setting(4, "essays prefilled together (ours)", int, lo=1),
        max_new_tokens=Setting(8, "tokens per sample", int, lo=1),
        temperature=Setting(0.7, "sampling temperature", float, lo=0, lo_open=True),
        skip_a=Setting(False, "skip (a), the slowest way", bool))
    from aes_kit.core import data_dir
    from aes_kit.data import load_essays
    from aes_kit.prompts import essay_prompt
    from aes_kit.scoring import load_scorer, generate_batch, parse_score
    from aes_kit.consistency import hf_sample

    data = data_dir() / "aes_sample"
    adapter, tmp = a.adapter, None
    if a.train_steps > 0 and adapter is None:
        from aes_kit.train import train_scorer
        tmp = tempfile.TemporaryDirectory()
        t0 = time.time()
        adapter = train_scorer(data / "train.jsonl", model=a.model, out_dir=Path(tmp.name) / "train",
                               max_steps=a.train_steps, lr=2e-3, save_steps=10_000, backend=a.backend,
                               log=lambda *x: None)["adapter_dir"]
        print(f"trained a {a.train_steps}-step adapter in {time.time() - t0:.0f}s")
    model, tok = load_scorer(a.model, adapter, backend=a.backend)
    rows = [dict(r) for r in load_essays(data / "test.jsonl")][:a.limit]
    prompts = [essay_prompt(r, tok) for r in rows]
    n, m = len(rows), a.m
    n_tok = [len(tok(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    kw = dict(max_new_tokens=a.max_new_tokens, temperature=a.temperature)
    model.generation_config.top_k = 0      # `generate` adds top_k=50 when unset: all ways sample softmax(logits / T)
    hf_sample(model, tok, prompts[:1], [2], chunk_m=2, progress=False, **kw)                    # warm-up
    generate_batch(model, tok, prompts[:1], do_sample=True, num_return_sequences=2, progress=False, **kw)

    def valid(texts_by_essay):
        ok = [parse_score(t, r["min_score"], r["max_score"]).valid for r, ts in zip(rows, texts_by_essay) for t in ts]
        return sum(ok) / len(ok)

    res = {}
    def ours(bs):
        texts = [[] for _ in rows]
        t0 = time.perf_counter()
        hf_sample(model, tok, prompts, [m] * n, chunk_m=a.chunk_m, batch_size=bs, seed=0, progress=False,
                  on_chunk=lambda out: [texts[i].append(t) for i, _, t, *_ in out], **kw)
        return time.perf_counter() - t0, texts
    def way_b():
        texts, t0 = [], time.perf_counter()
        for e, p in enumerate(prompts):
            got = []
            for j in range(0, m, a.chunk_m):
                k = min(a.chunk_m, m - j)
                g = generate_batch(model, tok, [p], do_sample=True, num_return_sequences=k, batch_size=1,
                                   progress=False, seed=1000 * e + j, **kw)[0]
                got += g if k > 1 else [g]
            texts.append(got)
        return time.perf_counter() - t0, texts
    def way_a():
        texts, t0 = [], time.perf_counter()
        for e, p in enumerate(prompts):
            texts.append([generate_batch(model, tok, [p], do_sample=True, batch_size=1, progress=False,
                                         seed=1000 * e + k, **kw)[0] for k in range(m)])
        return time.perf_counter() - t0, texts

    ways = [(f"ours (prefill once, {a.batch_size} essays/batch)", lambda: ours(a.batch_size)),
            ("ours (prefill once, 1 essay/batch)", lambda: ours(1)),
            (f"(b) num_return_sequences={a.chunk_m} per essay", way_b)]
    if not a.skip_a: ways.append(("(a) one generate per sample", way_a))
    for label, fn in ways:
        secs, texts = fn()
        res[label] = dict(seconds=secs, samples_per_s=n * m / secs, valid_rate=valid(texts))
        print(f"  {label:<44}{secs:>9.1f}s{n * m / secs:>9.2f} samples/s   valid {res[label]['valid_rate']:.0%}",
              flush=True)
    device = machine()["device"]
    ratios = {f"{o} vs {b}": res[o]["samples_per_s"] / res[b]["samples_per_s"]
              for o in res if o.startswith("ours") for b in res if b.startswith("(")}
    print(f"model {a.model}{' + adapter' if adapter else ''} ({model.aes_backend}) · {device} · "
          f"{n} essays × {m} samples · "
          f"prompt tokens {min(n_tok)}-{max(n_tok)} · max_new_tokens {a.max_new_tokens} · T={a.temperature}")
    for lab, x in ratios.items():
        print(f"speed-up {lab}: {x:.2f}x (target {'4' if ' vs (a)' in lab else '1.5'}x)")
    sd = 100 * (0.25 / (n * m)) ** 0.5
    print(f"valid rates are over {n * m} samples each (binomial sd ~ {sd:.0f} points at 50 %)")
    write_result("bench_consistency",
                 dict(model=a.model, adapter=str(adapter) if adapter else None, train_steps=a.train_steps,
                      backend=model.aes_backend, essays=n, m=m, chunk_m=a.chunk_m, batch_size=a.batch_size,
                      max_new_tokens=a.max_new_tokens, temperature=a.temperature,
                      prompt_tokens=[min(n_tok), max(n_tok)], results=res, speedups=ratios))
    if tmp is not None: tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
