"""The deployment files, checked without a Docker engine (none runs on these machines)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SECRET_WORDS = re.compile(r"password|secret|auth|token|key", re.IGNORECASE)


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_the_app_against_neo4j_5():
    services = compose()["services"]
    assert set(services) == {"neo4j", "app"}
    assert re.match(r"neo4j:5(\.|$)", services["neo4j"]["image"]), services["neo4j"]["image"]
    env = services["app"]["environment"]
    assert env["CASEGRAPH_GRAPH_URL"] == "bolt://neo4j:7687"
    assert services["app"]["depends_on"]["neo4j"]["condition"] == "service_healthy"


def test_only_the_app_port_is_published():
    services = compose()["services"]
    assert "ports" not in services["neo4j"] and "expose" not in services["neo4j"]
    assert services["app"]["ports"] == ["8000:8000"]


def test_every_service_has_a_health_check_and_a_volume():
    for name, service in compose()["services"].items():
        check = service["healthcheck"]
        assert check["test"] and check["interval"], name
        assert service["volumes"], name
    neo4j_volumes = compose()["services"]["neo4j"]["volumes"]
    assert any(v.endswith(":/data") for v in neo4j_volumes)


def test_no_secret_is_written_into_the_compose_file():
    for name, service in compose()["services"].items():
        for key in service.get("environment") or {}:
            if SECRET_WORDS.search(key):
                raise AssertionError(f"{name}: {key} is set in docker-compose.yml; use .env")
        assert service["env_file"] == ".env"
    text = (ROOT / "docker-compose.yml").read_text()
    assert "NEO4J_AUTH=" not in text and "neo4j/" not in text.replace("neo4j/}", "")
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    example = (ROOT / ".env.example").read_text()
    assert "NEO4J_AUTH=neo4j/replace-" in example and "CASEGRAPH_GRAPH_PASSWORD=replace-" in example


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines()]
    users = [ln.split()[1] for ln in lines if ln.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), users
    cmd = next(ln for ln in lines if ln.startswith("CMD "))
    assert "gunicorn" in cmd and "graphapp.wsgi:app" in cmd
    assert any(ln.startswith("HEALTHCHECK") for ln in lines)


def test_wsgi_module_builds_the_app(monkeypatch, tmp_path):
    import importlib

    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(tmp_path))
    module = importlib.import_module("graphapp.wsgi")
    module = importlib.reload(module)
    assert module.app.name == "graphapp"
