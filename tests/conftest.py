"""Shared fixtures for the end-to-end tests."""
import io, contextlib
import pytest

from aes_kit import core


def _run_cli(*args):
    "Run `aes-kit ARGS` in this process: (exit code, stdout, stderr)."
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        try: rc = core.main([str(a) for a in args])
        except SystemExit as x: rc = x.code or 0
    return rc, o.getvalue(), e.getvalue()


@pytest.fixture(scope="session")
def cli():
    "The in-process `aes-kit` runner."
    return _run_cli
