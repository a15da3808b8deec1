"""Bad input gets one clear line through the real `aes-kit` entry point: decode, parse and shape failures,
invisible-only text, CSV fields of any length, the last-resort handler and SIGTERM (fast: well under 60 s)."""
import codecs, errno, json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest

from aes_kit.cli import run_cli_process as cli, ENTRY   # a fresh process: the real entry point

ROOT = Path(__file__).resolve().parents[1]
H = "id,prompt,essay,score\n"


def assert_one_line(rc, err, *names):
    "The bad-input contract: non-zero exit, at most 3 lines on stderr, no traceback, every name in the message."
    lines = err.strip().splitlines()
    assert rc != 0, err
    assert 1 <= len(lines) <= 3, err
    assert "Traceback" not in err, err
    for n in names: assert str(n) in err, (n, err)


def validate(path, task="essay", *extra):
    rc, out, err = cli("validate", path, "--task", task, *extra)
    return rc, out, err


# ---- decoding: the whole family of the step -------------------------------------------------------------------
def _utf16_cut(p):
    p.write_bytes((codecs.BOM_UTF16_LE + (H + "e1,주제,내용이 있는 글,4\n").encode("utf-16-le"))[:-1])
    return ["line 2", "not UTF-16 text", "cut off"]

def _utf16_lone_surrogate(p):
    p.write_bytes(codecs.BOM_UTF16_BE + H.encode("utf-16-be") + b"\xd8\x01\x00a")   # a high surrogate, then 'a'
    return ["line 2", "not UTF-16 text"]

def _bom_then_cp949(p):
    p.write_bytes(codecs.BOM_UTF8 + (H + "e1,환경 보호,분리수거를 합시다,3\n").encode("cp949"))
    return ["line 2", "byte order mark", "CP949"]

def _directory(p):
    p.mkdir()
    return ["is a directory"]

def _name_too_long(p):
    return ["File name too long"]                 # the path itself is refused by the system (ENAMETOOLONG)

def _forced_wrong_encoding(p):
    p.write_bytes((H + "e1,질문,글,3\n").encode("utf-8") + b"\x00")   # odd byte count: not UTF-16
    return ["cannot read as utf-16"]

DECODE = {"utf16-cut": _utf16_cut, "utf16-lone-surrogate": _utf16_lone_surrogate, "bom-then-cp949": _bom_then_cp949,
          "directory": _directory, "name-too-long": _name_too_long, "forced-encoding": _forced_wrong_encoding}

@pytest.mark.parametrize("case", DECODE)
def test_decode_failures_one_line(tmp_path, case):
    p = tmp_path/("긴파일이름" * 60 + ".csv" if case == "name-too-long" else f"{case}.csv")
    frags = DECODE[case](p)
    extra = ("--encoding", "utf-16") if case == "forced-encoding" else ()
    rc, out, err = validate(p, "essay", *extra)
    assert_one_line(rc, err, p.name[:40], *frags)


def test_unreadable_file_one_line():
    "A file that exists but cannot be read (here /proc/self/mem: EIO even for root) is one line, not a traceback."
    if not Path("/proc/self/mem").exists(): pytest.skip("needs Linux /proc")
    rc, out, err = validate("/proc/self/mem")
    assert_one_line(rc, err, "/proc/self/mem", "cannot read the file")


# ---- parsing: too deep, too long a number, broken JSON inside a cell ----------------------------------------------
PARSE = {
    "deep.jsonl": ('{"prompt": "질문", "essay": "글", "score": 2}\n{"prompt": ' + "{\"a\":" * 30000 + "1" + "}" * 30000
                   + "}\n",
                   ["line 2", "nested too deeply"]),
    "digits.jsonl": ('{"prompt": "질문", "essay": "글", "score": ' + "3" * 6000 + "}\n", ["line 1", "6000 digits"]),
    "deep_array.json": ("[" * 40000 + "]" * 40000, ["nested too deeply", "expected a JSON array of objects"]),
    "gold.csv": ('prompt,essay,label\n질문,글,"{""score"": ' + "4" * 5000 + '}"\n',
                 ["line 2", "column 'label'", "5000 digits"]),
    "traits.jsonl": ('{"prompt": "질문", "essay": "글", "score": 2, "traits": "' + "[" * 20000 + '"}\n',
                     ["line 1", "column 'traits'"]),
}

@pytest.mark.parametrize("name", PARSE)
def test_parse_failures_one_line(tmp_path, name):
    content, frags = PARSE[name]
    p = tmp_path/name; p.write_text(content, encoding="utf-8")
    rc, out, err = validate(p, "traits" if name.startswith("traits") else "essay")
    assert_one_line(rc, err, p, *frags)


# ---- shape: a row that is not an object, a field of the wrong type, a side file of the wrong shape ----------------
SHAPE = {
    "list_row.jsonl": ('{"prompt": "질문", "essay": "글", "score": 2}\n["질문", "글", 2]\n',
                       ["line 2", "expected a JSON object", "list"]),
    "number_row.jsonl": ('{"prompt": "질문", "essay": "글", "score": 2}\n42\n', ["line 2", "got int"]),
    "bool_essay.jsonl": ('{"prompt": "질문", "essay": false, "score": 2}\n', ["line 1", "column 'essay'", "got bool"]),
    "dict_id.jsonl": ('{"id": {"n": 1}, "prompt": "질문", "essay": "글", "score": 2}\n',
                      ["line 1", "column 'id'", "got dict"]),
    "surrogate.jsonl": ('{"prompt": "질문", "essay": "글\\ud83d", "score": 2}\n',
                        ["line 1", "key 'essay'", "lone surrogate"]),
}

@pytest.mark.parametrize("name", SHAPE)
def test_shape_failures_one_line(tmp_path, name):
    content, frags = SHAPE[name]
    p = tmp_path/name; p.write_text(content, encoding="utf-8")
    rc, out, err = validate(p)
    assert_one_line(rc, err, p, *frags)


META = {  # a meta.json beside a valid essay file
    "traits-number": ('{"traits": 7}', ["key 'traits'", "trait score ranges"]),
    "meta-list": ('[{"min_score": 0}]', ["expected a JSON object", "got list"]),
    "range-text": ('{"min_score": 1, "max_score": "아홉"}', ["key 'max_score'", "'아홉'"]),
    "trait-range-reversed": ('{"traits": {"organization": [4, 1]}}', ["key 'traits.organization'", "min < max"]),
}

@pytest.mark.parametrize("case", META)
def test_meta_json_shape_one_line(tmp_path, case):
    content, frags = META[case]
    (tmp_path/"meta.json").write_text(content, encoding="utf-8")
    p = tmp_path/"essays.csv"; p.write_text(H + "e1,질문,글,2\n", encoding="utf-8")
    rc, out, err = validate(p)
    assert_one_line(rc, err, tmp_path/"meta.json", *frags)


# ---- invisible-only text counts as empty ---------------------------------------------------------------------------
INVISIBLE = {
    "zwsp_essay.csv": (H + "e1,질문,\u200b\u200b\u200b,3\n", "essay", "line 2, column 'essay'"),
    "ideographic_prompt.jsonl": ('{"prompt": "\u3000 \u3000", "essay": "글", "score": 3}\n', "essay",
                                 "line 1, column 'prompt'"),
    "joiners_summary.csv": ("question,answer,summary\n무엇?,대답,\u200c\u200d\u2060\n", "summary",
                            "line 2, column 'summary'"),
    "bom_choice.csv": ("question,answer,A,B,C,D\n1+1은?,2,1,2,\ufeff\u200b,4\n", "kmmlu", "line 2, column 'C'"),
}

@pytest.mark.parametrize("name", INVISIBLE)
def test_invisible_only_text_is_empty(tmp_path, name):
    content, task, where = INVISIBLE[name]
    p = tmp_path/name; p.write_text(content, encoding="utf-8")
    rc, out, err = validate(p, task)
    assert_one_line(rc, err, p, where)
    assert "non-empty" in err or "got an empty value" in err, err


# ---- CSV fields of any length read like JSONL ---------------------------------------------------------------------
LONG = "한국어 논설문의 한 문장입니다. " * 12000          # about 200,000 characters: above csv's default 131,072

def _summary(out, p): return out.replace(str(p), "FILE")

def test_long_csv_field_reads_like_jsonl(tmp_path):
    c = tmp_path/"long.csv"; c.write_text(H + f'e1,질문,"{LONG}",4\ne2,질문,짧은 글,2\n', encoding="utf-8")
    j = tmp_path/"long.jsonl"
    j.write_text("".join(json.dumps(dict(id=i, prompt="질문", essay=e, score=s), ensure_ascii=False) + "\n"
                         for i, e, s in (("e1", LONG, 4), ("e2", "짧은 글", 2))), encoding="utf-8")
    (rc_c, out_c, err_c), (rc_j, out_j, err_j) = validate(c), validate(j)
    assert (rc_c, err_c, rc_j, err_j) == (0, "", 0, ""), err_c + err_j
    assert _summary(out_c, c) == _summary(out_j, j) and "OK essay, 2 rows" in out_c


def test_long_tsv_field_is_accepted(tmp_path):
    p = tmp_path/"long.tsv"; p.write_text("question\tanswer\tsummary\n무엇?\t" + LONG * 2 + "\t요약\n", encoding="utf-8")
    rc, out, err = validate(p, "summary")
    assert (rc, err) == (0, "") and "OK summary, 1 rows" in out, err


def test_problem_after_a_long_field_names_its_line(tmp_path):
    p = tmp_path/"long_bad.csv"; p.write_text(H + f'e1,질문,"{LONG}",4\ne2,질문,글,일곱\n', encoding="utf-8")
    rc, out, err = validate(p)
    assert_one_line(rc, err, p, "line 3, column 'score'", "'일곱'")


# ---- the last-resort handler in the entry point ------------------------------------------------------------------
def test_last_resort_natural_oserror(tmp_path):
    "A KMMLU folder path the system refuses (ENAMETOOLONG) reaches the entry point's handler as an OSError."
    p = tmp_path/("과목" * 150)
    rc, out, err = cli("validate", p, "--task", "kmmlu")
    assert_one_line(rc, err, "aes-kit validate: error:", "File name too long", "과목과목")
    assert rc == 2


INJECT = {  # what the stand-in validate_file raises -> fragments of the one line
    "oserror": ("open('/nonexistent-aes-kit/answers.csv')",
                ["/nonexistent-aes-kit/answers.csv", "No such file or directory"]),
    "valueerror": ("int('열둘')", ["invalid value", "'열둘'"]),
    "unicodeerror": ("b'ok\\xfe'.decode('utf-8')", ["byte 0xfe at offset 2"]),
    "jsonerror": ("__import__('json').loads('{\"a\": }')", ["invalid JSON at line 1, column 7"]),
    "recursion": ("(lambda f: f(f))(lambda f: f(f))", ["nested too deeply"]),
}

def _inject(code): return f"import aes_kit.data as d; d.validate_file = lambda *a, **k: {code}; "

@pytest.mark.parametrize("case", INJECT)
def test_last_resort_handler_one_line(tmp_path, case):
    code, frags = INJECT[case]
    rc, out, err = cli("validate", tmp_path/"any.csv", pre=_inject(code), env={"AES_KIT_DEBUG": ""})
    assert_one_line(rc, err, "aes-kit validate: error:", *frags, "AES_KIT_DEBUG=1")
    assert rc == 2


def test_debug_shows_the_traceback(tmp_path):
    rc, out, err = cli("validate", tmp_path/"any.csv", pre=_inject(INJECT["valueerror"][0]), env={"AES_KIT_DEBUG": "1"})
    assert rc != 0 and "Traceback (most recent call last)" in err and "ValueError" in err and "'열둘'" in err


# ---- SIGTERM behaves like SIGINT ----------------------------------------------------------------------------------
def _start_on_fifo(tmp_path, head:bytes=b""):
    "Start `aes-kit validate FIFO`, wait until it has the FIFO open, write `head` and keep the writer open."
    fifo = tmp_path/"slow.csv"; os.mkfifo(fifo)
    # a terminal delivers Ctrl-C; a runner started in the background (`cmd &`) passes SIGINT on as *ignored*, and
    # Python then never raises KeyboardInterrupt: give the child the default disposition, as a terminal would
    proc = subprocess.Popen([sys.executable, "-c", ENTRY, "validate", str(fifo), "--task", "essay"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    t0 = time.monotonic()
    while True:                                   # a non-blocking writer open succeeds once a reader is there
        try: fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK); break
        except OSError as e:
            if e.errno != errno.ENXIO or time.monotonic() - t0 > 30 or proc.poll() is not None: proc.kill(); raise
            time.sleep(0.05)
    if head: os.write(fd, head)
    time.sleep(0.3)                               # let the reader block in read()
    return proc, fd, fifo


@pytest.mark.parametrize("sig,code,head",
                         [(signal.SIGTERM, 143, b""), (signal.SIGTERM, 143, H.encode() + b"e1,\xec\xa7\x88"),
                                           (signal.SIGINT, 130, b"")])
def test_signal_gives_one_line(tmp_path, sig, code, head):
    proc, fd, fifo = _start_on_fifo(tmp_path, head)
    try:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally: os.close(fd)
    assert proc.returncode == code, (proc.returncode, err)
    assert_one_line(proc.returncode, err, "aes-kit validate: interrupted")
    assert ("(SIGTERM)" in err) == (sig == signal.SIGTERM)
