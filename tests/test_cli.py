"""The repwatch command line, run as a user would (subprocess for the demo: its own embedded ClickHouse)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from pipeline.cli import main
from pipeline.config import packaged_config
from pipeline.demo_sample import SAMPLE_PATH, render
from tests.conftest import REPO


def test_config_check_ok(capsys):
    assert main(["config", "check", str(REPO / "config" / "repwatch.yaml")]) == 0
    assert "OK" in capsys.readouterr().out


def test_config_check_reports_errors_with_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"brands": [{"name": "A", "aliasez": ["x"]}]}))
    assert main(["config", "check", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "brands.0.aliasez" in out and str(bad.name) in out


def test_missing_input_file_is_a_clear_error(tmp_path, capsys):
    assert main(["demo", "--input", str(tmp_path / "nope.jsonl")]) == 2
    assert "does not exist" in capsys.readouterr().out


def test_bundled_sample_is_what_the_generator_makes():
    assert SAMPLE_PATH.read_text(encoding="utf-8") == render()


def test_demo_end_to_end(tmp_path):
    env = {**os.environ, "COLUMNS": "160"}
    env.pop("REPWATCH_CLICKHOUSE_DSN", None)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Processed 616 records" in out
    assert "Trattoria Roma" in out and "Caffè Aurora" in out
    assert "Alerts fired: 2" in out
    assert "dead letters: 3" in out
    assert "SELECT brand, toDate(window_start)" in out
    assert (tmp_path / ".repwatch-data" / "clickhouse").is_dir()
    # the SQL it suggests runs against what it wrote
    query = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "sql",
         "SELECT count() FROM repwatch_demo.alerts FINAL WHERE brand = 'Trattoria Roma' AND status = 'firing'"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert query.returncode == 0, query.stderr
    assert query.stdout.strip().splitlines()[-1] == "2"
    # several queries in one start-up, as tables parted by a blank line or as JSON lines
    queries = ["SELECT count() AS firing FROM repwatch_demo.alerts FINAL WHERE status = 'firing'",
               "SELECT brand, count() AS n FROM repwatch_demo.mentions FINAL GROUP BY brand ORDER BY brand"]
    from tests.test_dataflow import expected_mentions_per_brand

    per_brand = expected_mentions_per_brand(packaged_config("demo"))
    for flag in ([], ["--json"]):
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "sql", *queries, *flag], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        if flag:
            firing, brands = [json.loads(line) for line in done.stdout.splitlines()]
            assert firing == {"query": queries[0], "columns": ["firing"], "rows": [[2]]}
            assert brands["columns"] == ["brand", "n"] and dict(brands["rows"]) == per_brand
        else:
            first, second = done.stdout.split("\n\n")
            assert first.splitlines() == ["firing", "2"]
            assert second.splitlines() == ["brand\tn"] + [f"{b}\t{n}" for b, n in sorted(per_brand.items())]
