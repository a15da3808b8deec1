"""Public essay-scoring datasets as published (AI Hub 에세이 글 평가, ASAP-AES, Feedback Prize ELL / ELLIPSE, AES 2.0 /
PERSUADE) -> the kit's essay JSONL, read back by `load_essays`, and end to end: data convert -> validate -> train ->
score. The fixtures under tests/fixtures/public/ were written for this project in each dataset's exact layout."""
import json, zipfile
from pathlib import Path
import pytest
from aes_kit.core import AesKitError
from aes_kit.convert import (read_public, convert_essays, AIHUB_SEPARATOR, ASAP_RANGES, ELLIPSE_TRAITS,
                             western_encoding)
from aes_kit.core import data_dir
from aes_kit.data import load_essays, validate_file
from aes_kit.prompts import essay_prompt, ALPACA

PUBLIC = Path(__file__).resolve().parent/"fixtures"/"public"
AIHUB, ASAP = PUBLIC/"aihub-essay", PUBLIC/"asap"/"training_set_rel3.tsv"
ELLIPSE, PERSUADE = PUBLIC/"ellipse"/"train.csv", PUBLIC/"persuade"/"train.csv"


def rows_of(src, fmt="auto"):
    kind, rows = read_public(src, fmt, progress=False)
    return kind, rows


# ---- one format at a time: row count, ranges, traits, raters, text ----------------------------------------------
def test_aihub_folder_tree_reads_every_essay_with_its_mapping():
    kind, rows = rows_of(AIHUB)
    assert kind == "aihub-essay" and len(rows) == 6
    assert {(r["min_score"], r["max_score"]) for r in rows} == {(0, 30)}
    assert all(set(r["traits"]) == {"expression", "organization", "content"} for r in rows)
    assert all(len(r["raters"]) == 3 and all(0 <= x <= 30 for x in r["raters"]) for r in rows)
    assert not any(AIHUB_SEPARATOR in r["essay"] or "#@" in r["essay"] for r in rows)
    one = {r["id"]: r for r in rows}["ESSAY_90001"]
    doc = json.loads(next(AIHUB.rglob("ESSAY_90001.json")).read_text(encoding="utf-8"))
    assert one["score"] == 24 == round(doc["score"]["essay_scoreT_avg"])            # 23.87, rounded half up
    assert one["raters"] == [25, 24, 22]                                           # score.essay_scoreT 25.2, 24.0, 22.4
    # expression: sub-item weights 3/3/4 -> raters 2.3, 2.6, 2.0 -> 10 x mean = 23.0
    assert one["traits"]["expression"] == 23
    assert one["essay"].startswith("나는 교복 자율화에 찬성한다. 학생들이") and one["essay"].count("\n") == 1
    assert one["prompt_id"] == "교복 자율화" and one["prompt"].startswith("학교에서 교복을")


def test_aihub_empty_task_text_gets_the_stated_stand_in_and_bom_files_read():
    rows = {r["id"]: r for r in rows_of(AIHUB)[1]}
    assert rows["ESSAY_90006"]["prompt"] == "「우리 동네 소개」에 대해 글을 쓰시오."
    assert rows["ESSAY_90005"]["essay"].startswith("우리 동네에는 학교가 있다.")   # the file starts with a UTF-8 BOM


def test_aihub_zip_of_the_tree_reads_the_same(tmp_path):
    with zipfile.ZipFile(tmp_path/"TL_essay.zip", "w") as zf:
        for f in sorted(AIHUB.rglob("*.json")): zf.write(f, f.relative_to(AIHUB).as_posix())
    assert rows_of(tmp_path)[1] == rows_of(AIHUB)[1]


def test_asap_latin1_tsv_per_set_ranges_and_readers():
    kind, rows = rows_of(ASAP)
    assert kind == "asap" and len(rows) == 9 and western_encoding(ASAP) == "cp1252"
    assert {r["prompt_id"]: (r["min_score"], r["max_score"]) for r in rows} == \
        {str(k): v for k, v in ASAP_RANGES.items()}
    by = {r["id"]: r for r in rows}
    assert "café" in by["1"]["essay"] and "shouldn’t" in by["1"]["essay"]            # 0xE9 and 0x92 read right
    assert by["1788"]["essay"].startswith('"Should books be taken off the shelf?" asked')   # quotes as written
    assert (by["1"]["raters"], by["20716"]["raters"]) == ([4, 4], [20, 15, 40])
    assert by["20716"]["score"] == 40 and by["17834"]["score"] == 17
    assert "stand-in" in by["1"]["prompt"] and all("traits" not in r for r in rows)


def test_ellipse_half_points_times_two_and_the_holistic_rule():
    kind, rows = rows_of(ELLIPSE)
    assert kind == "ellipse" and len(rows) == 4
    first = rows[0]                                   # 3.5 3.5 3.0 3.0 4.0 3.0
    assert first["traits"] == dict(zip(ELLIPSE_TRAITS, [7, 7, 6, 6, 8, 6]))
    assert first["score"] == 7                        # round_half_up(40 / 6 = 6.67)
    assert {(r["min_score"], r["max_score"]) for r in rows} == {(2, 10)} and "raters" not in first
    assert '"learn better"' in first["essay"] and "\n\n" in first["essay"]   # quoted multi-line CSV field kept


def test_persuade_holistic_one_to_six():
    kind, rows = rows_of(PERSUADE)
    assert kind == "persuade" and [r["score"] for r in rows] == [3, 3, 4, 1, 6]
    assert {r["prompt_id"] for r in rows} == {"persuade"}
    assert {(r["min_score"], r["max_score"]) for r in rows} == {(1, 6)}


# ---- wrong layouts are one line ----------------------------------------------------------------------------------
@pytest.mark.parametrize("src,fmt,frag", [
    (ELLIPSE, "asap", "missing column 'essay_id'"),
    (ASAP, "persuade", "missing column 'full_text'"),
    (PERSUADE, "ellipse", "missing column 'text_id'"),
    (ASAP, "aihub-essay", "not a .json or .zip file"),
])
def test_wrong_layout_is_one_line(src, fmt, frag):
    with pytest.raises(AesKitError) as e: read_public(src, fmt, progress=False)
    assert frag in str(e.value) and str(src) in str(e.value) and "\n" not in str(e.value)


def test_unknown_table_and_broken_aihub_json_are_one_line(tmp_path):
    t = tmp_path/"mine.csv"; t.write_text("id,text,score\n1,a,3\n", encoding="utf-8")
    with pytest.raises(AesKitError, match="cannot tell the dataset from its columns"): read_public(t)
    doc = json.loads(next(AIHUB.rglob("ESSAY_90001.json")).read_text(encoding="utf-8"))
    del doc["score"]["essay_scoreT_detail"]["essay_scoreT_org"]
    (tmp_path/"tree").mkdir(); (tmp_path/"tree"/"E.json").write_text(json.dumps(doc, ensure_ascii=False))
    with pytest.raises(AesKitError, match=r"E\.json: missing key 'score\.essay_scoreT_detail\.essay_scoreT_org'"):
        read_public(tmp_path/"tree", progress=False)
    doc = json.loads(next(AIHUB.rglob("ESSAY_90001.json")).read_text(encoding="utf-8"))
    doc["score"]["essay_scoreT_detail"]["essay_scoreT_exp"][1][0] = 4
    (tmp_path/"tree"/"E.json").write_text(json.dumps(doc, ensure_ascii=False))
    with pytest.raises(AesKitError, match="essay_scoreT_exp': expected a number in \\[0, 3\\], got '4'"):
        read_public(tmp_path/"tree", progress=False)


def test_asap_score_outside_its_set_range_names_line_and_column(tmp_path):
    bad = tmp_path/"training_set_rel3.tsv"
    text = ASAP.read_bytes().decode("cp1252").replace("\t4\t4\t\t4\t4\t4\t4", "\t4\t4\t\t7\t4\t4\t4")   # set 2: 7 > 6
    bad.write_bytes(text.encode("cp1252"))
    with pytest.raises(AesKitError, match=r"line 4, column 'domain1_score': expected an essay set 2 score in \[1, 6\]"):
        read_public(bad)


# ---- the converted file is the kit's essay file ------------------------------------------------------------------
@pytest.mark.parametrize("src", [AIHUB, ASAP, ELLIPSE, PERSUADE])
def test_converted_file_loads_with_its_extra_fields(tmp_path, src):
    out = tmp_path/"conv"/"essays.jsonl"
    convert_essays(src, out, progress=False)
    meta = json.loads((out.parent/"meta.json").read_text(encoding="utf-8"))
    ds = load_essays(out)
    kind, rows = rows_of(src)
    assert len(ds) == len(rows) and ds["id"] == [r["id"] for r in rows]
    assert list(zip(ds["min_score"], ds["max_score"])) == [(r["min_score"], r["max_score"]) for r in rows]
    assert ds["prompt_id"] == [r["prompt_id"] for r in rows] and set(ds["source"]) == {kind}
    if "raters" in rows[0]: assert ds["raters"] == [r["raters"] for r in rows]
    if "traits" in rows[0]:
        assert [json.loads(t) for t in ds["traits"]] == [r["traits"] for r in rows]
        assert meta["rubric_in_prompt"] is True and "채점 기준:" in essay_prompt(ds[0], template="alpaca")
    assert meta["source"] == kind and meta["licence"] and meta["files"] == {"essays.jsonl": len(rows)}
    assert validate_file(out).startswith(f"{out}: OK essay, {len(rows)} rows")


def test_per_row_range_is_checked_per_row(tmp_path):
    f = tmp_path/"e.jsonl"
    f.write_text("\n".join(json.dumps(dict(id=str(i), prompt="p", essay="e", score=s, min_score=lo, max_score=hi))
                           for i, (s, lo, hi) in enumerate([(12, 2, 12), (7, 1, 6)])) + "\n", encoding="utf-8")
    with pytest.raises(AesKitError, match=r"line 2, column 'score': expected an integer score in \[1, 6\], got 7"):
        load_essays(f)
    assert load_essays(f, max_score=12)["max_score"] == [12, 12]          # an argument wins over the rows' own


def test_sample_data_prompts_are_unchanged():
    "The bundled sample's meta.json has rubric words but does not ask for them: its prompts stay byte for byte."
    ds = load_essays(data_dir()/"aes_sample"/"train.jsonl")
    assert ds.column_names == ["id", "prompt_id", "prompt", "essay", "score", "feedback", "traits", "min_score",
                               "max_score"]
    r = ds[0]
    assert essay_prompt(r, template="alpaca") == ALPACA.format(
        instruction=f'질문: {r["prompt"]}\n0-5점 채점, JSON: {{"score": int, "feedback": str}}', input=r["essay"])


def test_meta_json_merges_one_dataset_and_refuses_another(tmp_path):
    convert_essays(AIHUB, tmp_path/"train.jsonl", progress=False)
    convert_essays(AIHUB, tmp_path/"valid.jsonl", limit=2, progress=False)
    meta = json.loads((tmp_path/"meta.json").read_text(encoding="utf-8"))
    assert meta["files"] == {"train.jsonl": 6, "valid.jsonl": 2}
    with pytest.raises(AesKitError, match="already describes other data"):
        convert_essays(ASAP, tmp_path/"asap.jsonl", progress=False)
    assert not (tmp_path/"asap.jsonl").exists()


def test_prompts_file_replaces_stand_ins(tmp_path):
    p = tmp_path/"prompts.json"; p.write_text(json.dumps({"7": "Write about patience."}), encoding="utf-8")
    convert_essays(ASAP, tmp_path/"a"/"asap.jsonl", prompts=p, progress=False)
    rows = [json.loads(line) for line in (tmp_path/"a"/"asap.jsonl").read_text(encoding="utf-8").splitlines()]
    assert next(r for r in rows if r["prompt_id"] == "7")["prompt"] == "Write about patience."
    p.write_text(json.dumps({"9": "?"}), encoding="utf-8")
    with pytest.raises(AesKitError, match="prompt ids 9 are not in the data"):
        convert_essays(ASAP, tmp_path/"b"/"asap.jsonl", prompts=p, progress=False)


# ---- end to end with the embedded model -------------------------------------------------------------------------
@pytest.mark.parametrize("src", [ASAP, AIHUB], ids=["asap", "aihub-essay"])
def test_convert_validate_train_score_end_to_end(tmp_path, cli, src):
    data = tmp_path/"data"/"essays.jsonl"
    rc, out, err = cli("data", "convert", src, "--out", data)
    assert rc == 0, err
    rc, out, err = cli("validate", data)
    assert rc == 0 and "OK essay" in out, err
    run = tmp_path/"run"
    rc, out, err = cli("train", "--data", data, "--max-steps", 1, "--save-steps", 1, "--out", run,
                       "--max-seq-length", 384, "--batch-size", 1, "--backend", "hf")
    assert rc == 0, err[-2000:]
    scored = tmp_path/"scored"
    rc, out, err = cli("score", "--adapter", run/"final_adapter", "--data", data, "--out", scored, "--limit", 4,
                       "--max-new-tokens", 8, "--batch-size", 4, "--backend", "hf")
    assert rc == 0, err[-2000:]
    import pandas as pd
    res = pd.read_csv(next(scored.glob("test_results_*.csv")))
    rows = read_public(src, progress=False)[1][:4]
    assert list(res["id"].astype(str)) == [r["id"] for r in rows]
    assert list(zip(res["min_score"], res["max_score"])) == [(r["min_score"], r["max_score"]) for r in rows]
    metrics = json.loads((scored/"metrics.json").read_text(encoding="utf-8"))
    assert metrics["n"] == 4
