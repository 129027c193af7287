"""The sample app the API guide runs, in the parts the walkthrough cannot reach."""

from __future__ import annotations

import importlib.util
import stat
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.processes import ROOT


@pytest.fixture(scope="module")
def sample_app() -> Iterator[ModuleType]:
    """examples/sample_app.py is a script, not a package: loaded from its file."""
    spec = importlib.util.spec_from_file_location("sample_app", ROOT / "examples" / "sample_app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_the_token_store_is_owner_only_even_when_an_earlier_run_left_it_readable(
    sample_app, tmp_path
):
    store = tmp_path / "sample-app-tokens.json"
    store.write_text("[]")
    store.chmod(0o644)

    sample_app.write_owner_only(store, '[{"access_token": "secret"}]')

    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert store.read_text() == '[{"access_token": "secret"}]'


def test_a_new_token_store_is_owner_only_from_the_start(sample_app, tmp_path):
    store = tmp_path / "sample-app-tokens.json"

    sample_app.write_owner_only(store, "[]")

    assert stat.S_IMODE(store.stat().st_mode) == 0o600
