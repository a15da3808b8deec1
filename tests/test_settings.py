"""Every command's flags, defaults, help, ranges and config keys come from its one settings table (notebook 00c)."""
import inspect, re
from pathlib import Path
import pytest
from aes_kit.cli import SUBCOMMANDS, run_cli
from aes_kit.settings import COMMAND_SETTINGS, SCORE_SETTINGS, TRAIN_SETTINGS, DEMO_SETTINGS, PIPELINE, read_config

ROOT = Path(__file__).resolve().parents[1]


def test_every_subcommand_has_a_table():
    assert list(SUBCOMMANDS) == list(COMMAND_SETTINGS)


@pytest.mark.parametrize("name", list(COMMAND_SETTINGS))
def test_help_lists_every_setting_with_its_help_and_default(name):
    table = COMMAND_SETTINGS[name]
    rc, out, err = run_cli(name, "--help")
    assert rc == 0, err
    text = " ".join(out.split())                       # argparse wraps lines
    for k, s in table.items():
        if s.flag is None: continue                    # a library-only setting has no flag
        assert table.flag(k) in text, f"{name}: {table.flag(k)} missing from --help"
        assert " ".join(s.help.split()[:4]) in text, f"{name}: the help of {k} is not the table's"
        if s.default not in (None, "") and s.kind is not bool:
            assert f"(default {s.default})" in text, f"{name}: the default of {k} is not the table's"


def test_add_argument_lives_in_the_settings_machinery_only():
    users = sorted(p.name for p in (ROOT/"aes_kit").glob("*.py") if "add_argument(" in p.read_text(encoding="utf-8"))
    assert users == ["settings.py"], users


def test_the_training_function_takes_exactly_the_table():
    from aes_kit.train import train_scorer
    sig = inspect.signature(train_scorer).parameters
    assert {k: p.default for k, p in sig.items() if k not in ("callbacks", "log")} == TRAIN_SETTINGS.defaults()


def test_the_demo_takes_exactly_its_recipe():
    from aes_kit.pipeline import demo_settings
    assert set(DEMO_SETTINGS.names()) - {"out_dir", "model"} == set(demo_settings("cpu")) == set(demo_settings("t4"))


def test_config_keys_come_from_the_tables(tmp_path):
    "A config's training keys are the training table's names; its `score:` keys are the score table's config keys."
    reachable = {v or k for sec in PIPELINE.values() for k, v in sec.items()}
    assert set(TRAIN_SETTINGS.names()) <= reachable
    f = tmp_path/"c.yaml"
    f.write_text("".join(f"{k}: {v}\n" for k, v in (("max_steps", 3), ("lr", 0.001))) +
                 "score:\n" + "".join(f"  {k}: null\n" for k in SCORE_SETTINGS.config_keys))
    c = read_config(f)
    assert set(c["score"]) == set(SCORE_SETTINGS.config_keys) and c["train"] == dict(max_steps=3, lr=0.001)
    f.write_text("score:\n  temperature: 0.7\n")
    with pytest.raises(Exception, match=re.escape("unknown `score` setting(s) temperature")): read_config(f)
