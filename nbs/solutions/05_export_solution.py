"""Solution of notebook 05's exercise (kept apart from the lesson): questions wrapped in the chat template."""

QUESTIONS = ["대한민국의 수도는 어디인가요?", "에세이 채점에서 가장 중요한 기준은 무엇인가요?"]

def prompts(tok)->list[str]:
    "The questions as prompts the model answers: `tok`'s chat template with the assistant turn opened."
    return [tok.apply_chat_template([{"role": "user", "content": q}], tokenize=False, add_generation_prompt=True)
            for q in QUESTIONS]
