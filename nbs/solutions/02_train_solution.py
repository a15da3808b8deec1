"""Solution of notebook 02's exercise (kept apart from the lesson): qwen2.5-7b on a Colab L4.
preset_settings('qwen2.5-7b', 'l4') gives batch 4 x grad-accum 4; an L4 (compute capability 8.9) runs bf16."""

answer = dict(effective_batch=16, precision="bf16")
