"End-to-end checks of `aes-kit validate` and the sample data (fast: < 30 s)."
import subprocess, sys
from pathlib import Path
import pytest
from aes_kit.cli import run_cli_process as cli   # the real entry point, in a fresh process

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT/"data"


def test_generator_is_deterministic():
    r = subprocess.run([sys.executable, str(ROOT/"tools"/"make_sample_data.py"), "--check"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


BUNDLED = [("aes_sample/train.jsonl", "traits"), ("aes_sample/test.jsonl", "essay"),
           ("interview_sample.csv", "summary"), ("summary_eval_sample.jsonl", "summary-eval")]
if (DATA/"kmmlu_sample").is_dir(): BUNDLED.append(("kmmlu_sample", "kmmlu"))


@pytest.mark.parametrize("name,task", BUNDLED)
def test_bundled_files_validate(name, task):
    rc, out, err = cli("validate", str(DATA/name), "--task", task)
    assert (rc, err) == (0, ""), err
    assert out.count("\n") == 1 and ": OK " in out


def test_messy_file_lists_every_problem(tmp_path):
    rc, out, err = cli("validate", str(DATA/"messy_sample.csv"))
    lines = err.strip().splitlines()
    assert rc == 2 and out == "" and len(lines) == 6
    assert all(l.startswith(f"aes-kit validate: error: {DATA/'messy_sample.csv'}: line ") for l in lines)
    assert "Traceback" not in err
    assert [int(l.split(": line ")[1].split(",")[0]) for l in lines] == [3, 4, 5, 6, 7, 8]   # file order


@pytest.mark.parametrize("content,frag", [
    (b"", "empty file"),
    (b"id,prompt,essay,score\r\n", "header only"),
    (bytes(range(256)), "binary content"),
    ("id,prompt,essay,score\n1,질문,글,다섯\n".encode(),
     "line 2, column 'score': expected an integer score in [0, 5], got '다섯'"),
    ("id,prompt,essay,score\n1,질문,글,9\n".encode("cp949"), "got 9 (out of range)"),
])
def test_bad_files_one_line(tmp_path, content, frag):
    p = tmp_path/"f.csv"; p.write_bytes(content)
    rc, out, err = cli("validate", str(p))
    assert rc == 2 and err.count("\n") == 1 and frag in err and str(p) in err, err


def test_library_contract():
    from aes_kit.data import load_essays, read_kmmlu_csv, split_dataset, subsample
    ds = load_essays(DATA/"aes_sample"/"test.jsonl")
    assert {"id", "prompt_id", "prompt", "essay", "score", "feedback", "min_score", "max_score",
            "traits"} <= set(ds.column_names)
    assert set(ds["score"]) == set(range(6)) and isinstance(ds[0]["score"], int)
    dd = split_dataset(ds, 0.5, seed=1)
    assert len(dd["train"]) + len(dd["test"]) == len(ds)
    assert len(subsample(ds, 0.5, seed=1)) == 30
    kd = DATA/"kmmlu_sample"
    if kd.is_dir():
        df = read_kmmlu_csv(next(kd.glob("*-test.csv")))
        assert df["answer"].between(1, 4).all() and list(df.columns[:6]) == ["question", "answer", "A", "B", "C", "D"]
