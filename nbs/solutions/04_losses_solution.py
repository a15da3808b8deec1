"""Solution of notebook 04's exercise (kept apart from the lesson): for gold 3, NTL-MSE only sees the expected value
(A and B both average 3), while NTL-WAS moves every bit of mass to the gold digit (B must move mass 1 by distance 1)."""

answer = ("both", "A")    # (my_mse_zero, my_was_zero)
