"""Solution of notebook 01a's exercise (kept apart from the lesson): mask the prompt's tokens with -100."""
from aes_kit.prompts import _ids

def labels(rec:dict, tok)->list[int]:
    "Labels for one SFT record: -100 over the prompt's tokens, the token ids themselves over the completion."
    ids = _ids(tok, rec["prompt"] + rec["completion"])
    n = len(_ids(tok, rec["prompt"]))
    return [-100]*n + ids[n:]
