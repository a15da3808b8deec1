"""Solution of notebook 07's exercise (kept apart from the lesson): at what m does the curve stop paying for itself?"""

def enough_m(qwk_by_m:list[float], tol:float=0.01)->int:
    "The smallest m whose mean QWK is within `tol` of the best mean QWK of the curve."
    best = max(qwk_by_m)
    return next(m for m, q in enumerate(qwk_by_m, start=1) if q >= best - tol)
