"""Rate limits: a client fishing with hit checks is slowed down, with the JSON error shape."""

from __future__ import annotations

import dataclasses

from graphapp import create_app, ratelimits
from tests.conftest import bearer, make_user

PHONE = "070 999 00 11"


def _checks(client, headers, times: int) -> list[int]:
    return [client.get("/api/v1/hits", query_string={"identifier": PHONE}, headers=headers)
            .status_code for _ in range(times)]


def test_hit_checks_beyond_the_limit_answer_429_per_credential(client, investigator, settings):
    allowed = int(ratelimits.HIT_CHECK.split()[0])
    codes = _checks(client, investigator, allowed)
    assert set(codes) == {200}, codes
    over = client.get("/api/v1/hits", query_string={"identifier": PHONE}, headers=investigator)
    assert over.status_code == 429, over.status_code
    assert over.json["error"]["code"] == "too_many_requests", over.json
    assert int(over.headers["Retry-After"]) > 0
    # Another user's token has its own count; other API calls have a limit of their own.
    other = bearer(make_user(settings, "olga", "investigator", {"K-2024-0113": "read"}))
    assert _checks(client, other, 1) == [200]
    assert client.get("/api/v1/search", query_string={"q": "Popescu"},
                      headers=investigator).status_code == 200


def test_limits_can_be_switched_off_for_load_tests(settings, demo_store, investigator):
    app = create_app(dataclasses.replace(settings, rate_limits=False), {"TESTING": True})
    client = app.test_client()
    allowed = int(ratelimits.HIT_CHECK.split()[0])
    assert set(_checks(client, investigator, allowed + 5)) == {200}


def test_counting_requests_starts_no_thread_and_stale_counts_are_swept(client, investigator,
                                                                       monkeypatch):
    import threading

    storage = client.application.extensions["casegraph_limiter"].storage
    assert isinstance(storage, ratelimits.SweptMemoryStorage)
    started: list[str] = []
    start = threading.Thread.start

    def counted(thread):
        started.append(thread.name)
        return start(thread)

    monkeypatch.setattr(threading.Thread, "start", counted)
    for _ in range(5):
        assert client.get("/api/v1/detectors", headers=investigator).status_code == 200
    assert started == []  # the stock storage started a sweeping timer thread per request
    counts = dict(storage.storage)
    assert counts and all(n >= 5 for n in counts.values()), counts
    # Another client's count whose window ended: the next request's sweep drops it.
    storage.storage["stale"], storage.expirations["stale"] = 3, 0.0
    storage._next_sweep = 0.0
    assert client.get("/api/v1/detectors", headers=investigator).status_code == 200
    assert "stale" not in storage.storage and "stale" not in storage.expirations
    assert all(storage.storage[key] == counts[key] + 1 for key in counts)
