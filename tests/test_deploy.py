"""The docker-compose deployment, checked without a Docker engine: Compose-spec validity, consistency with the
app's environment variables and config, ClickHouse users, and the Grafana dashboard's SQL run on the real engine."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
import yaml
from compose_spec import PyCompose

from pipeline.config import load_config
from pipeline.runner import prepare_clickhouse
from tests.conftest import REPO

COMPOSE = REPO / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_is_valid_compose_spec():
    parsed = PyCompose.from_yaml(COMPOSE.read_text())
    assert set(parsed.service_names()) == {"kafka", "clickhouse", "topics", "pipeline", "connector", "grafana"}


def test_kafka_is_the_official_image_in_kraft_mode(compose):
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"


def test_app_env_variables_are_ones_the_app_reads(compose):
    code = "\n".join(p.read_text() for folder in ("pipeline", "connectors", "sinks", "nlp") for p in (REPO / folder).rglob("*.py"))
    for service in ("topics", "pipeline", "connector"):
        env = compose["services"][service]["environment"]
        for name in env:
            assert name in code, f"{service} sets {name}, which repwatch never reads"
    assert "REPWATCH_CLICKHOUSE_PASSWORD" in compose["services"]["clickhouse"]["environment"]


def test_app_commands_use_a_config_shipped_in_the_image(compose):
    dockerfile = (REPO / "Dockerfile").read_text()
    for package in ("pipeline", "connectors", "nlp", "sinks", "config"):
        assert f"COPY {package} ./{package}" in dockerfile
    text = json.dumps(compose["services"])
    for path in set(re.findall(r"/app/(config/[\w.]+)", text)):
        config = load_config(REPO / path)
        assert config.run.source == "kafka" and config.recovery.dir


def test_clickhouse_users_writer_and_read_only_bi():
    root = ET.parse(REPO / "deploy" / "clickhouse" / "users.d" / "repwatch.xml").getroot()
    users = root.find("users")
    writer, bi = users.find("repwatch_writer"), users.find("repwatch_bi")
    assert writer.find("password").get("from_env") == "REPWATCH_CLICKHOUSE_PASSWORD"
    assert bi.find("password").get("from_env") == "REPWATCH_BI_PASSWORD"
    assert bi.find("profile").text == "bi_readonly"
    assert root.find("profiles/bi_readonly/readonly").text in ("1", "2")
    assert "INSERT" not in "".join(q.text for q in bi.iter("query"))


def test_grafana_dashboard_queries_run_on_the_real_schema(demo_config):
    client = prepare_clickhouse(demo_config)
    db = demo_config.sinks.clickhouse.database
    dashboard = json.loads((REPO / "deploy" / "grafana" / "dashboards" / "repwatch.json").read_text())
    titles = [p["title"] for p in dashboard["panels"]]
    assert {"Mean sentiment per brand", "Negative share per brand", "Topics: negative mentions", "Alerts"} <= set(titles)
    for panel in dashboard["panels"]:
        sql = panel["targets"][0]["rawSql"]
        sql = re.sub(r"\$__timeFilter\((\w+)\)", r"\1 >= now() - INTERVAL 7 DAY", sql).replace("repwatch.", f"{db}.")
        client.query(sql)  # raises on an unknown table or column
    datasource = yaml.safe_load((REPO / "deploy/grafana/provisioning/datasources/clickhouse.yaml").read_text())
    assert datasource["datasources"][0]["jsonData"]["username"] == "repwatch_bi"


def test_the_wheel_holds_every_module_and_data_file(tmp_path):
    """What `pip install .` (the Dockerfile) installs: every module of the four packages and their data."""
    import shutil
    import subprocess
    import sys
    import zipfile

    # built from a clean copy: a checkout's build/ and *.egg-info can fill in what the configuration leaves out
    source = tmp_path / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", ".repwatch-data", "__pycache__", ".pytest_cache", "tests"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("repwatch-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(path.relative_to(REPO)) for package in ("pipeline", "connectors", "nlp", "sinks")
                for path in (REPO / package).rglob("*")
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}
    assert expected - shipped == set()
