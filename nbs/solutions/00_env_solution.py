"""Solution of notebook 00's exercise (kept apart from the lesson): qwen2.5-7b's recommended settings on a Colab T4."""
from aes_kit.model import preset_settings

answer = preset_settings("qwen2.5-7b", "t4")
