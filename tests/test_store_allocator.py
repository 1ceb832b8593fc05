"""The embedded server's allocator: jemalloc when the system has it (reads after a load stay as
fast as after a restart), the C library's on request, and a clear refusal when it is required
but missing."""

from __future__ import annotations

import ctypes.util
import os

import pytest

from graphapp.settings import ConfigError, Settings
from graphapp.store import StoreUnavailable
from graphapp.store.falkor import FalkorStore
from graphapp.store.falkor_allocator import server_preload

HAS_JEMALLOC = bool(ctypes.util.find_library("jemalloc"))
# .ci/run installs libjemalloc2: there its absence is a failure, not a skip.
needs_jemalloc = pytest.mark.skipif(not HAS_JEMALLOC and not os.environ.get("CI"),
                                    reason="no jemalloc on this system (apt-get install libjemalloc2)")


def _settings(tmp_path, allocator: str) -> Settings:
    return Settings.from_env({}, data_dir=tmp_path / "data", secret_key="k" * 40,
                             store_allocator=allocator)


@needs_jemalloc
def test_the_server_runs_with_jemalloc_and_the_app_environment_is_left_alone(tmp_path):
    before = os.environ.get("LD_PRELOAD")
    store = FalkorStore(_settings(tmp_path, "auto"))
    try:
        assert store.server_allocator == "jemalloc"
        store.ensure_schema()
        assert store.read("views/search_phone", {"e164": "+46701234567"}, allowed_cases=["K-1"]) == []
    finally:
        store.close()
    assert os.environ.get("LD_PRELOAD") == before


@pytest.mark.parametrize("preloaded_here", [False, pytest.param(True, marks=needs_jemalloc)])
def test_system_keeps_the_c_library_allocator(tmp_path, monkeypatch, preloaded_here):
    # ... even when this process's own LD_PRELOAD names jemalloc.
    if preloaded_here:
        monkeypatch.setenv("LD_PRELOAD", ctypes.util.find_library("jemalloc"))
    store = FalkorStore(_settings(tmp_path, "system"))
    try:
        assert store.server_allocator == "system"
    finally:
        store.close()


@needs_jemalloc
def test_a_required_jemalloc_refuses_to_join_a_server_without_it(tmp_path):
    running = FalkorStore(_settings(tmp_path, "system"))
    try:
        pid = running.server_pid
        with pytest.raises(StoreUnavailable, match="does not use it"):
            FalkorStore(_settings(tmp_path, "jemalloc"))
        running.ensure_schema()  # the refusal left the running server alone
        assert running.server_pid == pid and running.server_allocator == "system"
    finally:
        running.close()


def test_a_required_jemalloc_that_is_missing_stops_the_start_with_the_fix():
    with pytest.raises(StoreUnavailable, match="libjemalloc2"):
        server_preload("jemalloc", find=lambda: "")
    assert server_preload("auto", find=lambda: "") == ""
    assert server_preload("system", find=lambda: "libjemalloc.so.2") == ""


def test_an_unknown_allocator_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigError, match="auto, jemalloc, system"):
        Settings.from_env({"CASEGRAPH_STORE_ALLOCATOR": "tcmalloc"}, data_dir=tmp_path)
    assert Settings.from_env({"CASEGRAPH_STORE_ALLOCATOR": " System "},
                             data_dir=tmp_path).store_allocator == "system"
