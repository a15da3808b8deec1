"""Shared fixtures for the end-to-end tests."""
import pytest

from aes_kit.core import run_cli


@pytest.fixture(scope="session")
def cli():
    "The in-process `aes-kit` runner (`aes_kit.core.run_cli`)."
    return run_cli
