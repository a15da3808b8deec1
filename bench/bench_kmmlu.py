"""aes-kit `kmmlu` vs lm-evaluation-harness 0.4.13, side by side on the same local CSVs and the same model.

    python bench/bench_kmmlu.py                      # data/kmmlu_sample, embedded SmolLM2-135M, 5-shot, CPU
    python bench/bench_kmmlu.py --limit 4 --threads 2

Both tools run as separate processes with the same environment (offline, same thread count). The harness uses
bench/lm_eval_tasks/ (its stock kmmlu prompt with the `first_n` few-shot sampler, dataset_path csv). Reports wall
time and peak RSS of each process, aes-kit's own eval time, prediction agreement and the largest log-likelihood
difference. Writes bench/results/bench_kmmlu.json.
"""
import argparse, glob, json, os, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBJECT_TASK = lambda s: "aeskit_kmmlu_sample_" + s.lower().replace("-", "_")


def run_measured(cmd, env, log):
    "Run `cmd`; return (exit code, wall seconds, peak RSS MiB, CPU seconds of that process)."
    t0 = time.time()
    with open(log, "w") as f:
        p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=f, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, time.time() - t0, ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime


def harness_predictions(out_dir):
    "{(subject, index): (pred letter, [ll_A..ll_D])} from the harness's --log_samples files."
    from aes_kit.kmmlu import LETTERS
    tasks = {SUBJECT_TASK(s): s for s in subjects_in(ROOT / "data" / "kmmlu_sample")}
    out = {}
    for f in glob.glob(str(Path(out_dir) / "**" / "samples_aeskit_kmmlu_sample_*.jsonl"), recursive=True):
        task = Path(f).name[len("samples_"):].rsplit("_", 1)[0]
        subj = tasks[task]
        for line in open(f, encoding="utf-8"):
            r = json.loads(line)
            ll = [float(x[0]) for x in r["filtered_resps"]]
            out[(subj, int(r["doc_id"]))] = (LETTERS[max(range(4), key=lambda i: (ll[i], -i))], ll)
    return out


def subjects_in(folder):
    return sorted(p.name[:-len("-test.csv")] for p in Path(folder).glob("*-test.csv"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shots", type=int, default=5)
    ap.add_argument("--limit", type=int, default=None, help="first N test rows per subject (both tools)")
    ap.add_argument("--threads", type=int, default=1, help="torch/OMP threads for both processes")
    ap.add_argument("--batch-size", type=int, default=8, help="aes-kit batch size")
    ap.add_argument("--harness-batch-size", default="1", help="lm-eval --batch_size (its default is 1)")
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()

    from aes_kit.model import resolve_model
    from aes_kit.kmmlu import LETTERS
    import pandas as pd
    model_dir = resolve_model("smollm2-135m")
    data = ROOT / "data" / "kmmlu_sample"
    res_dir = ROOT / "bench" / "results" / "kmmlu"
    res_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS=str(a.threads), MKL_NUM_THREADS=str(a.threads),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    lim = ["--limit", str(a.limit)] if a.limit else []

    ours_out = res_dir / "aes_kit"
    cmd_ours = [sys.executable, "-c", "import sys; from aes_kit.core import main; sys.exit(main(sys.argv[1:]))",
                "kmmlu", "--model", model_dir, "--data", str(data), "--shots", str(a.shots), "--batch-size",
                str(a.batch_size), "--out", str(ours_out), "--quiet", *lim]
    print("running aes-kit kmmlu ...", flush=True)
    rc1, wall1, rss1, cpu1 = run_measured(cmd_ours, env, res_dir / "aes_kit.log")
    if rc1: sys.exit(f"aes-kit failed (rc {rc1}); see {res_dir/'aes_kit.log'}")

    h_out = res_dir / "harness"
    if h_out.exists():
        import shutil; shutil.rmtree(h_out)
    cmd_h = [sys.executable, "-m", "lm_eval", "run", "--model", "hf",
             "--model_args", f"pretrained={model_dir},dtype=float32", "--tasks", "aeskit_kmmlu_sample",
             "--include_path", str(ROOT / "bench" / "lm_eval_tasks"), "--num_fewshot", str(a.shots),
             "--batch_size", a.harness_batch_size, "--device", a.device, "--output_path", str(h_out), "--log_samples", *lim]
    print("running lm-eval 0.4.13 ...", flush=True)
    rc2, wall2, rss2, cpu2 = run_measured(cmd_h, env, res_dir / "harness.log")
    if rc2: sys.exit(f"lm-eval failed (rc {rc2}); see {res_dir/'harness.log'}")

    ours = pd.read_csv(ours_out / "kmmlu_predictions.csv")
    ores = json.loads((ours_out / "kmmlu_results.json").read_text(encoding="utf-8"))
    theirs = harness_predictions(h_out)
    agree, n, maxdiff = 0, 0, 0.0
    for _, r in ours.iterrows():
        k = (r["subject"], int(r["index"]))
        if k not in theirs: continue
        n += 1
        agree += theirs[k][0] == r["pred"]
        maxdiff = max(maxdiff, max(abs(theirs[k][1][j] - r[f"ll_{x}"]) for j, x in enumerate(LETTERS)))
    if n != len(ours): sys.exit(f"harness has {n} of our {len(ours)} questions: compare failed")
    h_acc = sum(theirs[(r['subject'], int(r['index']))][0] == r["answer"] for _, r in ours.iterrows()) / n
    out = dict(model="smollm2-135m", shots=a.shots, questions=n, threads=a.threads, device=a.device,
               aes_kit=dict(wall_s=round(wall1, 2), cpu_s=round(cpu1, 2), eval_s=ores["seconds"], load_s=ores.get("load_seconds"),
                            peak_rss_mb=round(rss1, 1), accuracy=ores["accuracy_micro"], batch_size=a.batch_size),
               harness=dict(wall_s=round(wall2, 2), cpu_s=round(cpu2, 2), peak_rss_mb=round(rss2, 1), accuracy=h_acc,
                            batch_size=a.harness_batch_size, version="0.4.13"),
               agreement=agree / n, max_abs_loglik_diff=maxdiff, wall_ratio=wall1 / wall2, cpu_ratio=cpu1 / cpu2)
    (res_dir.parent / "bench_kmmlu.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"\n{'tool':<22}{'wall s':>9}{'CPU s':>9}{'peak RSS MiB':>14}{'accuracy':>10}")
    print(f"{'aes-kit kmmlu':<22}{wall1:>9.1f}{cpu1:>9.1f}{rss1:>14.0f}{ores['accuracy_micro']:>10.3f}   (eval only {ores['seconds']:.1f}s)")
    print(f"{'lm-eval 0.4.13':<22}{wall2:>9.1f}{cpu2:>9.1f}{rss2:>14.0f}{h_acc:>10.3f}")
    print(f"\n{n} questions, {a.shots}-shot · prediction agreement {100*agree/n:.1f}% · max |Δ loglik| {maxdiff:.2e}")
    print(f"wall-time ratio aes-kit / harness = {wall1/wall2:.3f}  ({wall2/wall1:.1f}x faster) · CPU-time ratio {cpu1/cpu2:.3f}"
          "  (CPU time is the steadier number on a shared machine)")
    ok = agree / n >= 0.99 and wall1 / wall2 <= 1/3
    print("PASS" if ok else "FAIL", "(target: agreement >= 99%, ratio <= 1/3)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
