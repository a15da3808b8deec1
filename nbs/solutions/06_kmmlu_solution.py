"""Solution of notebook 06's exercise (kept apart from the lesson): the category with the lowest accuracy.
In the notebook you read it off the table; here it is computed, since it depends on the run."""

def weakest(res:dict)->str:
    "The category of `res['per_category']` with the lowest accuracy."
    pc = res["per_category"]
    return min(pc, key=lambda c: pc[c]["accuracy"])
