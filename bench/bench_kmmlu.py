"""aes-kit `kmmlu` vs lm-evaluation-harness 0.4.13, side by side on the same local CSVs and the same model, per size.

    python bench/bench_kmmlu.py                      # sizes 40 and 320, embedded SmolLM2-135M, 5-shot, CPU, both samplers
    python bench/bench_kmmlu.py --sizes 320 --samplers harness
    python bench/bench_kmmlu.py --sizes sample --limit 4 --threads 2

Sizes: `sample` = data/kmmlu_sample (6 subjects, 12 questions each); a number N = a KMMLU-format subject (`Math`)
written by this benchmark into bench/results/kmmlu/gen_N/ (N test rows and 5 dev rows, Hub file layout; the text is
generated from a seeded list of Korean words and the answers are random: the real dataset is not redistributable),
with lm-eval task files for it beside the CSVs (the same two task bodies as below, absolute data paths). KMMLU's
test split has ~780 questions a subject, so only at hundreds a subject do the harness's 5! = 120 few-shot orders
repeat and share their leading examples (the prefix tree's gain).

Both tools run as separate processes with the same environment (offline, same thread count), once per few-shot
sampler: `harness` = the stock kmmlu task (bench/lm_eval_tasks/aeskit_kmmlu_stock_*: no fewshot_config, so the
harness's default seeded random draw, --fewshot_seed 1234) against `aes-kit kmmlu --fewshot harness`; `first_n` =
the same task with `fewshot_config: {sampler: first_n}` (aeskit_kmmlu_sample_*) against `--fewshot first_n`.
Reports per sampler: wall time and peak RSS of each process, aes-kit's own eval time, prediction agreement, the
largest log-likelihood difference and the wall-time ratio. Writes bench/results/bench_kmmlu.json.
"""
import glob, json, os, random, subprocess, sys, time
from pathlib import Path
from common import ROOT, Setting, bench_args, write_result

LAYOUT = dict(harness="aeskit_kmmlu_stock", first_n="aeskit_kmmlu_sample")   # aes-kit sampler -> harness task group
BODY = dict(harness="_aeskit_kmmlu_stock_yaml", first_n="_aeskit_kmmlu_yaml")   # the task body each one includes
SUBJECT_TASK = lambda s, group: f"{group}_" + s.lower().replace("-", "_")
WORDS = ("다음", "중", "옳은", "것은", "무엇인가", "설명으로", "가장", "적절한", "값을", "구하시오", "함수", "방정식",
         "조건에서", "경우", "대한", "관계", "원리", "방법", "기준", "설계", "측정", "분석", "결과", "변화", "비율",
         "압력", "온도", "전류", "저항", "속도", "면적", "부피", "효율", "계수", "평균", "최대", "최소", "이론", "법칙",
         "구조", "재료", "공정", "장치", "시스템", "관리", "규정", "기술", "현상", "요소", "특성", "단위", "표준")


def write_generated(folder:Path, n:int, subject:str="Math", seed:int=0)->Path:
    "A KMMLU-format subject: n test rows and 5 dev rows of generated text, random answers (Hub file layout)."
    import pandas as pd
    rng = random.Random(seed)
    words = lambda lo, hi: " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))
    def rows(k): return pd.DataFrame([dict(question=words(3, 6) + "?", answer=rng.randint(1, 4),
                                          **{x: words(1, 1) for x in "ABCD"}, Category=subject,
                                          **{"Human Accuracy": None}) for _ in range(k)])
    folder.mkdir(parents=True, exist_ok=True)
    rows(n).to_csv(folder / f"{subject}-test.csv", index=False, encoding="utf-8")
    rows(5).to_csv(folder / f"{subject}-dev.csv", index=False, encoding="utf-8")
    return folder


def size_layout(size:str, res_dir:Path)->tuple:
    "(data folder, lm-eval include dir, {sampler: task group prefix}) for one size; a generated size is written now."
    if size == "sample": return ROOT / "data" / "kmmlu_sample", ROOT / "bench" / "lm_eval_tasks", LAYOUT
    if not size.isdigit() or int(size) < 1: sys.exit(f"--sizes: {size!r} is neither 'sample' nor a question count")
    data = write_generated(res_dir / f"gen_{size}", int(size))
    tasks, groups = data / "tasks", {k: f"aeskit_gen{size}_{k}" for k in LAYOUT}
    tasks.mkdir(exist_ok=True)
    for k, g in groups.items():
        for subj in subjects_in(data):
            (tasks / f"{SUBJECT_TASK(subj, g)}.yaml").write_text(
                f"include: {ROOT / 'bench' / 'lm_eval_tasks' / BODY[k]}\ntask: {SUBJECT_TASK(subj, g)}\ntag: {g}\n"
                f"dataset_kwargs:\n  data_files:\n    dev: {data / f'{subj}-dev.csv'}\n"
                f"    test: {data / f'{subj}-test.csv'}\n", encoding="utf-8")
    return data, tasks, groups


def run_measured(cmd, env, log):
    "Run `cmd`; return (exit code, wall seconds, peak RSS MiB, CPU seconds of that process)."
    t0 = time.time()
    with open(log, "w") as f:
        p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=f, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, time.time() - t0, ru.ru_maxrss / 1024, ru.ru_utime + ru.ru_stime


def harness_predictions(out_dir, group, data):
    "{(subject, index): (pred letter, [ll_A..ll_D])} from the harness's --log_samples files."
    from aes_kit.kmmlu import LETTERS
    tasks = {SUBJECT_TASK(s, group): s for s in subjects_in(data)}
    out = {}
    for f in glob.glob(str(Path(out_dir) / "**" / f"samples_{group}_*.jsonl"), recursive=True):
        task = Path(f).name[len("samples_"):].rsplit("_", 1)[0]
        subj = tasks[task]
        for line in open(f, encoding="utf-8"):
            r = json.loads(line)
            ll = [float(x[0]) for x in r["filtered_resps"]]
            out[(subj, int(r["doc_id"]))] = (LETTERS[max(range(4), key=lambda i: (ll[i], -i))], ll)
    return out


def subjects_in(folder):
    return sorted(p.name[:-len("-test.csv")] for p in Path(folder).glob("*-test.csv"))


def main(argv=None):
    a = bench_args("bench_kmmlu", __doc__, argv, shots=Setting(5, "few-shot examples", int, lo=0),
                   limit=Setting(None, "first N test rows per subject (both tools)", int, lo=1),
                   threads=Setting(1, "torch/OMP threads for both processes", int, lo=1),
                   batch_size=Setting(8, "aes-kit batch size", int, lo=1),
                   harness_batch_size=Setting("1", "lm-eval --batch_size (its default is 1)"),
                   device=Setting("cpu", "the device both tools run on"),
                   samplers=Setting("harness,first_n", "comma list: harness (stock task), first_n"),
                   sizes=Setting("40,320", "comma list: sample (data/kmmlu_sample) and/or N (a generated subject "
                                 "with N test questions)"))

    from aes_kit.model import resolve_model
    model_dir = resolve_model("smollm2-135m")
    res_dir = ROOT / "bench" / "results" / "kmmlu"
    res_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false", OMP_NUM_THREADS=str(a.threads), MKL_NUM_THREADS=str(a.threads),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    lim = ["--limit", str(a.limit)] if a.limit else []

    for sampler in a.samplers.split(","):
        if sampler not in LAYOUT: sys.exit(f"--samplers: unknown sampler {sampler!r} (harness, first_n)")
    sizes = {}
    for size in a.sizes.split(","):
        data, tasks, groups = size_layout(size, res_dir)
        sizes[size] = {sampler: run_one(sampler, a, model_dir, data, tasks, groups[sampler], res_dir / size, env, lim)
                       for sampler in a.samplers.split(",")}
    out = dict(model="smollm2-135m", shots=a.shots, threads=a.threads, device=a.device, limit=a.limit,
               harness_version="0.4.13", sizes=sizes)
    write_result("bench_kmmlu", out)
    print(f"\n{'size':<7}{'sampler':<9}{'q/subj':>7}{'questions':>10}{'agreement':>11}{'max|dll|':>10}"
          f"{'aes-kit s':>11}{'harness s':>11}{'wall ratio':>12}{'CPU ratio':>11}")
    for size, rows in sizes.items():
        for k, r in rows.items():
            print(f"{size:<7}{k:<9}{r['max_questions_per_subject']:>7}{r['questions']:>10}"
                  f"{100*r['agreement']:>10.1f}%{r['max_abs_loglik_diff']:>10.1e}{r['aes_kit']['wall_s']:>11.1f}"
                  f"{r['harness']['wall_s']:>11.1f}{r['wall_ratio']:>12.3f}{r['cpu_ratio']:>11.3f}")
    big = [r for rows in sizes.values() for r in rows.values() if r["max_questions_per_subject"] >= 300]
    ok = all(r["agreement"] == 1 and r["wall_ratio"] <= 1/3 for r in big) and bool(big)
    print("PASS" if ok else "FAIL", "(target at >= 300 questions a subject, per sampler: 100% agreement and wall-time "
          "ratio <= 1/3; CPU time is the steadier number on a shared machine)")
    return 0 if ok else 1


def run_one(sampler, a, model_dir, data, tasks, group, res_dir, env, lim):
    "aes-kit and the harness side by side for one few-shot sampler on one data folder; returns that row of the report."
    from aes_kit.kmmlu import LETTERS
    import pandas as pd
    res_dir.mkdir(parents=True, exist_ok=True)
    ours_out = res_dir / f"aes_kit_{sampler}"
    cmd_ours = [sys.executable, "-c", "import sys; from aes_kit.cli import main; sys.exit(main(sys.argv[1:]))",
                "kmmlu", "--model", model_dir, "--data", str(data), "--shots", str(a.shots), "--batch-size",
                str(a.batch_size), "--fewshot", sampler, "--out", str(ours_out), "--no-progress", *lim]
    print(f"[{sampler}] running aes-kit kmmlu --fewshot {sampler} ...", flush=True)
    rc1, wall1, rss1, cpu1 = run_measured(cmd_ours, env, res_dir / f"aes_kit_{sampler}.log")
    if rc1: sys.exit(f"aes-kit failed (rc {rc1}); see {res_dir/f'aes_kit_{sampler}.log'}")

    h_out = res_dir / f"harness_{sampler}"
    if h_out.exists():
        import shutil; shutil.rmtree(h_out)
    cmd_h = [sys.executable, "-m", "lm_eval", "run", "--model", "hf",
             "--model_args", f"pretrained={model_dir},dtype=float32", "--tasks", group,
             "--include_path", str(tasks), "--num_fewshot", str(a.shots),
             "--batch_size", a.harness_batch_size, "--device", a.device, "--output_path", str(h_out),
             "--log_samples", *lim]
    print(f"[{sampler}] running lm-eval 0.4.13 --tasks {group} ...", flush=True)
    rc2, wall2, rss2, cpu2 = run_measured(cmd_h, env, res_dir / f"harness_{sampler}.log")
    if rc2: sys.exit(f"lm-eval failed (rc {rc2}); see {res_dir/f'harness_{sampler}.log'}")

    ours = pd.read_csv(ours_out / "kmmlu_predictions.csv")
    ores = json.loads((ours_out / "kmmlu_results.json").read_text(encoding="utf-8"))
    theirs = harness_predictions(h_out, group, data)
    agree, n, maxdiff = 0, 0, 0.0
    for _, r in ours.iterrows():
        k = (r["subject"], int(r["index"]))
        if k not in theirs: continue
        n += 1
        agree += theirs[k][0] == r["pred"]
        maxdiff = max(maxdiff, max(abs(theirs[k][1][j] - r[f"ll_{x}"]) for j, x in enumerate(LETTERS)))
    if n != len(ours): sys.exit(f"harness has {n} of our {len(ours)} questions: compare failed")
    h_acc = sum(theirs[(r['subject'], int(r['index']))][0] == r["answer"] for _, r in ours.iterrows()) / n
    row = dict(questions=n, harness_task=group, max_questions_per_subject=int(ours.groupby("subject").size().max()),
               aes_kit=dict(wall_s=round(wall1, 2), cpu_s=round(cpu1, 2), eval_s=ores["seconds"],
                            load_s=ores.get("load_seconds"),
                            peak_rss_mb=round(rss1, 1), accuracy=ores["accuracy_micro"], batch_size=a.batch_size,
                            fewshot=ores.get("fewshot"), fewshot_seed=ores.get("fewshot_seed")),
               harness=dict(wall_s=round(wall2, 2), cpu_s=round(cpu2, 2), peak_rss_mb=round(rss2, 1), accuracy=h_acc,
                            batch_size=a.harness_batch_size),
               agreement=agree / n, max_abs_loglik_diff=maxdiff, wall_ratio=wall1 / wall2, cpu_ratio=cpu1 / cpu2)
    print(f"[{sampler}] {n} questions · agreement {100*agree/n:.1f}% · wall {wall1:.1f}s vs {wall2:.1f}s "
          f"(ratio {wall1/wall2:.3f}) · CPU ratio {cpu1/cpu2:.3f} · eval only {ores['seconds']:.1f}s", flush=True)
    return row


if __name__ == "__main__":
    sys.exit(main())
