"""The loss ablation: CE, CE+NTL-MSE, CE+NTL-WAS, CE+NTL-MSE+EMO on the same data, steps and seeds.

    python bench/bench_losses.py [--steps 48] [--seeds 0,1] [--lr 1e-3] [--batch 4] [--seq 512] [--group-by-length]
                                 [--losses ce,ntl-mse,...]

Each (loss, seed) trains the embedded model with `aes_kit.train.train_scorer` on the demo's CPU recipe by default
(`aes_kit.pipeline.demo_settings("cpu")`: steps, lr, batch, length, batch order; nothing cut; fp32, or bf16 autocast
with AES_KIT_CPU_BF16=1) and reads the score of all test essays from the score-digit distribution
(`aes_kit.scoring.score_distribution`): QWK of the `expected` and `argmax` read-outs. Prints mean ± spread (half the
max-min range) per loss and writes bench/results/bench_losses.json (every run, so a table can be rebuilt).
"""
import json, os, statistics, tempfile, time
from common import RESULTS, Setting, bench_args, write_result

LOSSES = {"ce": dict(loss="ce"),
          "ntl-mse": dict(loss="ntl", ntl_kind="mse", ntl_weight=2.0),
          "ntl-was": dict(loss="ntl", ntl_kind="was", ntl_weight=2.0),
          "ntl-mse+emo": dict(loss="ntl+emo", ntl_kind="mse", ntl_weight=2.0, emo_weight=0.1)}

def main(argv=None):
    from aes_kit.pipeline import demo_settings
    d = demo_settings("cpu")
    a = bench_args("bench_losses", __doc__, argv, steps=Setting(d["steps"], "training steps", int, lo=1),
                   seeds=Setting("0,1", "comma list of run seeds"),
                   lr=Setting(d["lr"], "learning rate", float, lo=0, lo_open=True),
                   batch=Setting(d["batch_size"], "essays per step", int, lo=1),
                   seq=Setting(d["max_seq_length"], "tokens per example", int, lo=1),
                   losses=Setting(",".join(LOSSES), "comma list of losses"),
                   group_by_length=Setting(d["group_by_length"], "batches of similar length", bool),
                   fresh=Setting(False, "ignore earlier runs in the results file (default: keep the runs made with "
                                 "the same settings and do only the missing (loss, seed) pairs)", bool))
    from aes_kit.core import data_dir
    from aes_kit.data import load_essays
    from aes_kit.metrics import qwk
    from aes_kit.train import train_scorer
    from aes_kit.readout import score_distribution, readout_scores
    test = load_essays(data_dir()/"aes_sample"/"test.jsonl")
    gold, lo, hi = list(test["score"]), int(test[0]["min_score"]), int(test[0]["max_score"])
    dst = RESULTS/"bench_losses.json"
    from aes_kit.train import precision_for
    prec = "bf16" if precision_for("cpu")["bf16"] else "fp32"     # AES_KIT_CPU_BF16=1: bf16 autocast (notebook 02)
    same = dict(steps=a.steps, lr=a.lr, batch=a.batch, seq=a.seq, group_by_length=a.group_by_length, precision=prec)
    old = [] if a.fresh or not dst.exists() else json.loads(dst.read_text(encoding="utf-8"))
    runs = [r for r in (old["runs"] if isinstance(old, dict) else old) if all(r.get(k) == v for k, v in same.items())]
    for name in a.losses.split(","):
        for seed in [int(s) for s in a.seeds.split(",")]:
            if any(r["loss"] == name and r["seed"] == seed for r in runs):
                print(f"{name} seed {seed}: kept from {dst}"); continue
            t0 = time.time()
            with tempfile.TemporaryDirectory() as d:
                tr = train_scorer(data_dir()/"aes_sample"/"train.jsonl", out_dir=d, max_steps=a.steps, save_steps=10**6,
                                  lr=a.lr, batch_size=a.batch, grad_accum=1, max_seq_length=a.seq,
                                  group_by_length=a.group_by_length,
                                  seed=seed, log=lambda *x: None, **LOSSES[name])
                P = score_distribution(tr["trainer"].model, tr["trainer"].processing_class, test)
            r = dict(loss=name, seed=seed, **same, threads=int(os.environ.get("OMP_NUM_THREADS", "0") or 0),
                     load_avg=round(os.getloadavg()[0], 1), seconds=round(time.time() - t0, 1),
                     **{h: qwk(gold, readout_scores(P, lo, h), lo, hi) for h in ("expected", "argmax")},
                     bimodal=float(((P[:, 0] + P[:, -1]) > 0.5).mean()))   # share of essays with most mass on 0 or 5
            runs.append(r); print(json.dumps(r), flush=True)
            write_result("bench_losses", runs)
    print(f"\n| loss | expected QWK | argmax QWK | essays with >50% on {lo} or {hi} |\n|---|---|---|---|")
    wanted = [(n, int(x)) for n in a.losses.split(",") for x in a.seeds.split(",")]
    runs = [r for r in runs if (r["loss"], r["seed"]) in wanted]
    for name in dict.fromkeys(r["loss"] for r in runs):
        rs = [r for r in runs if r["loss"] == name]
        cell = lambda k: (f"{statistics.mean(r[k] for r in rs):.3f} ± "
                          f"{(max(r[k] for r in rs) - min(r[k] for r in rs)) / 2:.3f}")
        print(f"| {name} | {cell('expected')} | {cell('argmax')} | {cell('bimodal')} |")
    print(f"\n{len(runs)} runs, {a.steps} steps × {a.batch} essays at {a.seq} tokens, "
          f"{'length-grouped' if a.group_by_length else 'random'} batches, {prec}, seeds {a.seeds}, lr {a.lr}; "
          f"saved {dst}")

if __name__ == "__main__": main()
