"""Solution of notebook 08's exercise (kept apart from the lesson): one `loss: ntl` line under `training:`."""

def config(base_config:str)->str:
    "The notebook's `base_config` (whose last section is `training:`) with the NTL loss added to that section."
    return base_config + "  loss: ntl\n"
