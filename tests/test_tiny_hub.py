"The smoke profile's fixture: an offline Hub-shaped cache of tiny models under the presets' real repo ids."
import json, os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def _run(code:str, hub:Path)->dict:
    "Run `code` in a fresh process pointed at the fixture; it prints one JSON line."
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", HF_HUB_CACHE=str(hub), OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])

def test_layout_and_quirks(hub):
    from aes_kit.model import PRESETS
    ids = json.loads((hub/"tiny_hub.json").read_text())
    assert set(ids) == set(PRESETS)
    for preset, p in PRESETS.items():
        for repo in (p.repo, p.base):
            d = hub/f"models--{repo.replace('/', '--')}"
            sha = (d/"refs"/"main").read_text().strip()
            cfg = json.loads((d/"snapshots"/sha/"config.json").read_text())
            assert ("quantization_config" in cfg) == repo.endswith("bnb-4bit"), repo
    gemma = json.loads(next((hub/"models--google--gemma-2-9b-it").glob("snapshots/*/config.json")).read_text())
    assert gemma["architectures"] == ["Gemma2ForCausalLM"] and gemma["final_logit_softcapping"] == 30.0
    assert gemma["tie_word_embeddings"] is True
    llama = json.loads(next((hub/"models--meta-llama--Llama-3.1-8B-Instruct").glob("snapshots/*/config.json"))
                       .read_text())
    assert (llama.get("rope_scaling") or llama.get("rope_parameters"))["rope_type"] == "llama3"
    tok = json.loads(next((hub/"models--upstage--SOLAR-10.7B-v1.0").glob("snapshots/*/tokenizer_config.json"))
                     .read_text())
    assert not tok.get("chat_template") \
        and not list((hub/"models--upstage--SOLAR-10.7B-v1.0").glob("snapshots/*/chat_template.jinja"))
    assert (hub/"datasets--HAERAE-HUB--KMMLU").is_dir()

@pytest.mark.parametrize("backend", ["hf", "unsloth"])
def test_load_model_resolves_like_colab(hub, backend):
    r = _run(f"""
import json
from aes_kit.model import load_model
m, tok = load_model("qwen2.5-7b", max_seq_length=128, backend="{backend}")
ids = tok("점수 5", add_special_tokens=False)["input_ids"]
print(json.dumps(dict(cls=type(m).__name__, name=m.config._name_or_path, digit=tok.convert_tokens_to_ids("5") in ids)))
""", hub)
    assert r["cls"] == "Qwen2ForCausalLM"
    assert "Qwen2.5-7B-Instruct" in r["name"] and r["digit"]

def test_kmmlu_hub_id_offline(hub):
    r = _run("""
import json
from aes_kit.kmmlu import load_kmmlu
d = load_kmmlu("HAERAE-HUB/KMMLU", "HUMSS", shots=5, limit=2)
print(json.dumps(dict(n=len(d), rows=len(d["Accounting"]["test"]), dev=len(d["Accounting"]["dev"]))))
""", hub)
    assert r == dict(n=11, rows=2, dev=5)
