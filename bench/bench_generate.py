"""Batched generation vs one prompt at a time on the same essays (aes_kit.scoring.generate_batch).

    python bench/bench_generate.py [--n 8] [--batch-size 8] [--max-new-tokens 32] [--backend hf] [--model smollm2-135m]

Prints a table and the speed-up, checks that greedy outputs agree, writes bench/results/bench_generate.json.
Timings on a shared CPU are noisy: both variants run in one process, alternating, and the best of --repeats is kept.
"""
import sys, time
from common import BACKEND_HF, MODEL, Setting, bench_args, machine, write_result


def main(argv=None):
    a = bench_args("bench_generate", __doc__, argv, model=MODEL, backend=BACKEND_HF,
                   n=Setting(8, "essays (prompts)", int, lo=1), batch_size=Setting(8, "prompts per batch", int, lo=1),
                   max_new_tokens=Setting(32, "tokens generated per essay", int, lo=1),
                   repeats=Setting(2, "rounds; the best time of each mode is kept", int, lo=1))
    from aes_kit.core import data_dir
    from aes_kit.data import load_essays
    from aes_kit.prompts import essay_prompt
    from aes_kit.scoring import load_scorer, generate_batch

    model, tok = load_scorer(a.model, backend=a.backend)
    rows = load_essays(data_dir() / "aes_sample" / "test.jsonl").select(range(a.n))
    prompts = [essay_prompt(r, tok) for r in rows]
    n_tok = [len(tok(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    generate_batch(model, tok, prompts[:1], max_new_tokens=4, batch_size=1, progress=False)   # warm-up

    def run(bs):
        t0 = time.perf_counter()
        out = generate_batch(model, tok, prompts, max_new_tokens=a.max_new_tokens, batch_size=bs, progress=False)
        return time.perf_counter() - t0, out

    best = {1: float("inf"), a.batch_size: float("inf")}
    outs = {}
    for _ in range(a.repeats):
        for bs in (1, a.batch_size):
            s, out = run(bs)
            best[bs] = min(best[bs], s); outs[bs] = out
    same = sum(x == y for x, y in zip(outs[1], outs[a.batch_size]))
    speedup = best[1] / best[a.batch_size]
    device = machine()["device"]
    print(f"model {a.model} ({model.aes_backend}) · {device} · {a.n} essays · prompt tokens "
          f"{min(n_tok)}-{max(n_tok)} · "
          f"max_new_tokens {a.max_new_tokens} · greedy · best of {a.repeats}")
    print(f"{'mode':<22}{'seconds':>10}{'essays/s':>10}")
    for label, bs in (("one at a time", 1), (f"batched (bs={a.batch_size})", a.batch_size)):
        print(f"{label:<22}{best[bs]:>10.2f}{a.n / best[bs]:>10.2f}")
    print(f"speed-up: {speedup:.2f}x · identical greedy outputs: {same}/{a.n}")
    res = dict(model=a.model, backend=model.aes_backend, device=device, n=a.n, batch_size=a.batch_size,
               max_new_tokens=a.max_new_tokens, repeats=a.repeats, prompt_tokens=[min(n_tok), max(n_tok)],
               seconds_one_at_a_time=best[1], seconds_batched=best[a.batch_size], speedup=speedup,
               identical_outputs=same)
    write_result("bench_generate", res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
