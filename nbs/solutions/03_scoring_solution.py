"""Solution of notebook 03's exercise (kept apart from the lesson): invalid outputs count as wrong, never dropped."""
from aes_kit.scoring import parse_score
from aes_kit.metrics import score_metrics

def my_report(gold:list[int], outputs:list[str], lo:int=0, hi:int=5)->dict:
    preds = [parse_score(o, lo, hi).score for o in outputs]      # None for invalid outputs: keep them!
    m = score_metrics(gold, preds, lo, hi)
    return dict(qwk=m["qwk"], invalid_rate=m["invalid_rate"])
