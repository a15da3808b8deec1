"""Solution of notebook 01's exercise (kept apart from the lesson): one way to clean data/messy_sample.csv.
다섯 → 5, 3.5 → 4 (rounded), 7 → 5 (capped at the top score; dropping the row is fine too),
rows with an empty essay or score dropped, the duplicate id m1 renamed to m6."""

def fix_messy(df):
    df = df.copy()
    df.loc[df["score"] == "다섯", "score"] = "5"
    df.loc[df["score"] == "3.5", "score"] = "4"
    df.loc[df["score"] == "7", "score"] = "5"
    df = df[(df["essay"].str.strip() != "") & (df["score"].str.strip() != "")]
    df.loc[df.duplicated("id"), "id"] = "m6"
    return df
