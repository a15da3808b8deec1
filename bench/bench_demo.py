"""Run the whole demo (`aes-kit demo`) as a new user would and report its two headline figures.

    python bench/bench_demo.py [--out DIR] [--runs 1] [--threads 2] [-- extra aes-kit demo flags]

Each run is a fresh `aes-kit demo` process (offline, OMP_NUM_THREADS=--threads), timed from outside. Prints, per run,
the fine-tuned QWK for every scoring method (targets on 2 CPU cores: expected read-out QWK >= 0.70 on all 60 test
essays), the length and TF-IDF baselines' QWK with the fine-tuned margins over them, and the wall time (target
<= 600 s), then writes bench/results/bench_demo.json. On a shared machine the times
are pessimistic: the load average is printed beside them, and the child's CPU time / threads estimates the wall time
on idle cores.
"""
import json, os, resource, subprocess, sys, time, tempfile
from pathlib import Path
from common import Setting, bench_args, write_result

def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    own, extra = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    a = bench_args("bench_demo", __doc__, own, out=Setting(None, "demo output dir (default: a temp dir per run)"),
                   runs=Setting(1, "fresh demo processes", int, lo=1),
                   threads=Setting(2, "OMP threads of each demo process", int, lo=1))
    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    results = []
    for i in range(a.runs):
        out = Path(a.out or tempfile.mkdtemp(prefix="bench_demo-")) / (f"run{i}" if a.runs > 1 else "")
        load0 = os.getloadavg()[0]
        t0 = time.time()
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        rc = subprocess.run([sys.executable, "-c",
                             "import sys; from aes_kit.cli import main; sys.exit(main())", "demo",
                             "--out", str(out), *extra], env=env).returncode
        wall = time.time() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        if rc != 0: sys.exit(f"aes-kit demo failed (exit {rc})")
        s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        r = dict(run=i, wall_seconds=round(wall, 1), cpu_seconds=round(cpu, 1),
                 idle_estimate_s=round(cpu / a.threads, 1),
                 demo_seconds=s["wall_seconds"], load_before=round(load0, 2),
                 load_after=round(os.getloadavg()[0], 2), settings=s["settings"], scores=s["scores"],
                 baselines=s.get("baselines"))
        results.append(r)
        ft = s["scores"]["fine-tuned"]
        print(f"run {i}: wall {wall:.0f}s (demo {s['wall_seconds']:.0f}s, load {load0:.1f}→{r['load_after']:.1f}; "
              f"CPU {cpu:.0f}s = ~{cpu / a.threads:.0f}s on {a.threads} idle cores) · "
              + " · ".join(f"fine-tuned {k} QWK {v['qwk']:.3f} (n={v['n']})" for k, v in ft.items())
              + " · " + " · ".join(f"base {k} QWK {v['qwk']:.3f}" for k, v in s["scores"]["base"].items())
              + "".join(f" · baseline {b} QWK {bv['qwk']:.3f} (fine-tuned margin "
                        + ", ".join(f"{k} {v['qwk'] - bv['qwk']:+.3f}" for k, v in ft.items()) + ")"
                        for b, bv in (s.get("baselines") or {}).items()), flush=True)
    print(f"saved {write_result('bench_demo', results)}")

if __name__ == "__main__": main()
