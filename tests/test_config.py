from datetime import timedelta

import pytest
import yaml

from pipeline.config import ConfigError, load_config, packaged_config, parse_config
from pipeline.durations import parse_duration
from tests.conftest import REPO


@pytest.mark.parametrize("name", ["repwatch.yaml", "airlines.yaml"])
def test_shipped_examples_validate(name):
    config = load_config(REPO / "config" / name)
    assert config.brands


def test_demo_config_and_default_taxonomy():
    config = packaged_config("demo")
    required = {"wait_time", "customer_service", "staff_friendliness", "resolution", "availability", "price_value",
                "product_quality", "food_drink", "delivery", "website_app", "payment", "refund_return", "cleanliness"}
    for lang in ("en", "it"):
        assert required <= {t.id for t in config.topics.for_language(lang)}


def test_user_topics_extend_defaults():
    config = load_config(REPO / "config" / "repwatch.yaml")
    wait = next(t for t in config.topics.for_language("en") if t.id == "wait_time")
    assert "drive thru line" in wait.phrases and "wait time" in wait.phrases
    assert any(t.id == "loyalty_program" for t in config.topics.for_language("it"))


def test_error_names_file_key_found_and_expected(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"brands": [{"name": "A"}], "windows": {"length": "forever"}}))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert str(path) in message
    assert "windows.length" in message
    assert "'forever'" in message
    assert "expected a duration" in message


def test_unknown_keys_and_cross_references_are_errors():
    with pytest.raises(ConfigError, match="brandz"):
        parse_config({"brands": [{"name": "A"}], "brandz": []})
    with pytest.raises(ConfigError, match="unknown topics"):
        parse_config({"brands": [{"name": "A"}], "alerts": {"rules": [
            {"id": "r", "kind": "topic_negative_count", "threshold": 2, "topics": ["no_such_topic"]}]}})
    with pytest.raises(ConfigError, match="unknown brands"):
        parse_config({"brands": [{"name": "A"}], "alerts": {"rules": [
            {"id": "r", "kind": "negative_share", "threshold": 0.5, "brands": ["B"]}]}})
    with pytest.raises(ConfigError, match="url_env"):
        parse_config({"brands": [{"name": "A"}], "alerts": {"notifiers": [{"kind": "webhook"}]}})


def test_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="--config"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize("text, expected", [("90s", 90), ("15m", 900), ("1h", 3600), ("7d", 604800), (30, 30), ("PT1H30M", 5400)])
def test_durations(text, expected):
    assert parse_duration(text) == timedelta(seconds=expected)


def test_bad_duration():
    with pytest.raises(ValueError):
        parse_duration("soon")
