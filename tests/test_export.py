"End-to-end checks of `aes_kit.export` and `aes-kit merge` on the embedded model (CPU; about a minute on 2 free cores)."
import functools, json
from pathlib import Path
import pytest
from aes_kit.cli import run_cli_process
cli = functools.partial(run_cli_process, env={"HF_HUB_OFFLINE": "1"})   # a fresh process, offline

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "<|im_start|>user\n일회용품 사용을 줄여야 하는 이유를 한 문장으로 쓰시오.<|im_end|>\n<|im_start|>assistant\n"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    "A random-B adapter, its PEFT fp16 merge and the NF4 4-bit quantization of that merge."
    from aes_kit.merge import demo_adapter
    from aes_kit.export import merge_adapter, quantize_4bit
    d = tmp_path_factory.mktemp("run")
    adapter = demo_adapter(d/"final_adapter")
    m16 = merge_adapter(adapter, d/"merged-16bit", log=lambda *a: None)
    m4 = quantize_4bit(m16, d/"merged-4bit")
    return dict(dir=d, adapter=adapter, m16=m16, m4=m4)


def test_merged_16bit_reproduces_adapter_logits(run):
    "Tolerance: mean |Δlogit| <= 3x the fp16 rounding floor of the base model + 1e-3, max <= 1.0; same argmax >= 99%."
    import torch
    from aes_kit.merge import adapter_views, merged_views, parity_report, load_adapter_model
    from aes_kit.model import load_tokenizer
    def exact_merge():                                                  # the same merge in fp32, no rounding
        ref, _ = load_adapter_model(run["adapter"])
        yield "merged fp32", ref.merge_and_unload()
    rep = parity_report([adapter_views(run["adapter"], round_to=torch.float16), merged_views(run["m16"]),
                         exact_merge()],
                        load_tokenizer(str(run["m16"])), [PROMPT], max_new_tokens=4, log=lambda *a: None,
                        pairs=[("adapter", "merged fp32"), ("adapter", "merged-16bit"),
                               ("adapter off", "adapter"), ("adapter off", "base rounded")])
    t = rep["table"]
    exact, err = t.loc["adapter vs merged fp32"], t.loc["adapter vs merged-16bit"]
    effect, floor = t.loc["adapter off vs adapter"], t.loc["adapter off vs base rounded"]
    print(t.round(5).to_string())
    assert exact["max_abs"] < 1e-3, exact
    assert effect["mean_abs"] > 20*err["mean_abs"]                      # the adapter matters: the check is not vacuous
    assert err["mean_abs"] <= 3*floor["mean_abs"] + 1e-3 and err["max_abs"] <= 1.0, (err, floor)
    assert err["top1_agree"] >= 0.99, err


def test_4bit_reloads_generates_and_is_at_most_half(run):
    from safetensors import safe_open
    from aes_kit.merge import load_merged, dir_size, is_4bit
    from aes_kit.scoring import generate_batch
    m4, tok, secs = load_merged(run["m4"])
    assert is_4bit(m4)
    out = generate_batch(m4, tok, [PROMPT], max_new_tokens=6, batch_size=1, progress=False)
    assert isinstance(out[0], str) and out[0].strip()
    s16, s4 = dir_size(run["m16"]), dir_size(run["m4"])
    print(f"merged-16bit {s16/1e6:.1f} MB, merged-4bit {s4/1e6:.1f} MB, ratio {s4/s16:.3f}")
    assert s4 <= 0.5*s16
    with safe_open(run["m4"]/"model.safetensors", "pt") as f:
        keys = list(f.keys())
        assert f.get_slice("model.embed_tokens.weight").get_dtype() == "F16"   # tied embedding: one 16-bit copy
    assert not any(k.startswith("lm_head") for k in keys)
    assert json.loads((run["m4"]/"config.json").read_text())["quantization_config"]["bnb_4bit_quant_type"] == "nf4"


def test_cpu_refuses_merge_into_4bit_base(run):
    import torch
    from aes_kit.core import AesKitError
    from aes_kit.merge import load_merged
    from aes_kit.export import merge_model
    from aes_kit.model import add_lora
    if torch.cuda.is_available(): pytest.skip("the refusal is CPU-only")
    m4, tok, _ = load_merged(run["m4"])
    pm = add_lora(m4, r=4, lora_alpha=8, gradient_checkpointing=False)
    with pytest.raises(AesKitError, match="4-bit base on CPU") as e: merge_model(pm, tok, run["dir"]/"nope")
    assert "\n" not in str(e.value) and not (run["dir"]/"nope").exists()


def test_cli_errors_are_one_line(run):
    rc, out, err = cli("merge", "--adapter", str(ROOT/"data"), "--bits", "16")
    assert rc == 2 and err.count("\n") == 1 and "no adapter_config.json" in err, err
    rc, out, err = cli("merge", "--adapter", str(run["adapter"]), "--bits", "8")
    assert rc == 2 and "invalid choice: 8" in err and "Traceback" not in err, err
    rc, out, err = cli("merge", "--adapter", str(run["adapter"]), "--model", str(run["m4"]))
    assert rc == 2 and "holds 4-bit weights" in err, err


def test_cli_unsloth_merge_with_parity(run, tmp_path):
    ("`aes-kit merge --backend unsloth --check 1` in a fresh process: Unsloth's CPU save_pretrained_merged (bf16), "
     "then a rerun reuses it.")
    pytest.importorskip("unsloth")
    rc, out, err = cli("merge", "--adapter", str(run["adapter"]), "--out", str(tmp_path), "--bits", "16",
                       "--backend", "unsloth", "--check", "1", "--check-tokens", "4")
    assert rc == 0, err[-2000:]
    meta = json.loads((tmp_path/"merged-16bit"/"aes_kit_export.json").read_text())
    assert meta["method"] == "unsloth save_pretrained_merged" and meta["dtype"] == "bfloat16"
    rep = json.loads((tmp_path/"merge_report.json").read_text())
    assert rep["dtype"] == "bfloat16" and [r["model"] for r in rep["sizes"]] == ["merged-16bit"]
    par = {r["pair"]: r for r in rep["parity"]}["adapter vs merged-16bit"]
    assert par["top1_agree"] >= 0.95 and par["max_abs"] < 2.0, par      # bf16 rounding: looser than fp16
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []   # atomic: no temp dirs left


def test_cli_rerun_reuses_matching_dirs(run, capsys):
    ("The fixture's dirs carry the adapter's sha256: `aes-kit merge --bits 4` on that run dir redoes nothing (--out "
     "may name merged-16bit).")
    from aes_kit import cli
    assert cli.main(["merge", "--adapter", str(run["adapter"]), "--out", str(run["m16"]), "--bits", "4"]) == 0
    out = capsys.readouterr().out
    assert out.count("reusing") == 2, out
    rep = json.loads((run["dir"]/"merge_report.json").read_text())
    sizes = {r["model"]: r for r in rep["sizes"]}
    assert rep["dtype"] == "float16" and sizes["merged-4bit"]["ratio"] <= 0.5, rep
