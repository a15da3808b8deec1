"""Solution of notebook 03a's exercise (kept apart from the lesson): pass the rubric's full label range."""
from sklearn.metrics import cohen_kappa_score

def my_qwk(y_true, y_pred, min_score=0, max_score=5):
    return cohen_kappa_score(y_true, y_pred, weights="quadratic", labels=list(range(min_score, max_score + 1)))
