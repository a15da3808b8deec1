"""Shared fixtures for the end-to-end tests."""
import os, subprocess, sys
from pathlib import Path
import pytest

from aes_kit.cli import run_cli

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def cli():
    "The in-process `aes-kit` runner (`aes_kit.core.run_cli`)."
    return run_cli


@pytest.fixture(scope="session")
def hub():
    "The smoke profile's offline Hub-shaped cache of tiny models under the presets' real repo ids (`make tiny-hub`)."
    path = ROOT/"checkpoints"/"_tiny_hub"
    subprocess.run([sys.executable, str(ROOT/"tools"/"tiny_hub.py"), str(path)], check=True,
                   env=dict(os.environ, HF_HUB_OFFLINE="1"), stdout=subprocess.DEVNULL)
    return path
