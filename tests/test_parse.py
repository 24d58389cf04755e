import json
from datetime import datetime, timezone

from connectors.dead_letter import DeadLetter
from connectors.files import FieldMapping
from connectors.mention import Mention, ValidationLimits
from pipeline.parse import parse_raw
from pipeline.records import RawRecord

NOW = datetime(2026, 3, 10, tzinfo=timezone.utc)
LIMITS = ValidationLimits(max_text_chars=100_000)


def parse(payload, mappings=None, source="file"):
    return parse_raw(RawRecord(payload=payload, origin="test:1", source=source), mappings or {}, LIMITS, NOW)


def good(**overrides):
    record = {"source_id": "1", "text": "Nice", "created_at": "2026-03-02T10:00:00Z"}
    record.update(overrides)
    return json.dumps(record).encode()


def test_good_record():
    assert isinstance(parse(good()), Mention)


def test_bad_inputs_become_dead_letters_with_reasons():
    cases = {
        b'{"text": "oops"': "malformed JSON",
        b"[1, 2]": "expected a JSON object",
        json.dumps({"source_id": "1", "created_at": "2026-03-02T10:00:00Z"}).encode(): "text: Field required",
        good(rating="ten"): "rating: expected a number",
        good(created_at=12.5j if False else "yesterday"): "created_at",
        good(text="x" * 1_000_001): "limit is 100,000",
        b'{"text": "caf\xe9", "created_at": "2026-03-02T10:00:00Z"}': "not valid UTF-8",
        good(created_at="2100-01-01T00:00:00Z"): "in the future",
        good(text=["not", "a", "string"]): "text",
    }
    for payload, reason in cases.items():
        result = parse(payload)
        assert isinstance(result, DeadLetter), payload[:60]
        assert reason in result.reason, (reason, result.reason)
        assert result.origin == "test:1"
        assert result.stage == "validate"
        assert result.raw  # the raw payload is kept


def test_dead_letter_keeps_raw_payload_and_has_stable_id():
    a, b = parse(b"not json"), parse(b"not json")
    assert a.raw == "not json" and a.id == b.id
    assert parse(b"\xff\xfe").raw == "\\xff\\xfe"


def test_csv_row_with_invalid_utf8_is_dead_lettered():
    # iter_csv_rows keeps undecodable bytes as surrogates; JSON-escaped they reach validation
    row = json.dumps({"text": b"caf\xe9".decode("utf-8", "surrogateescape"), "created_at": "2026-03-02T10:00:00Z"})
    result = parse(row)
    assert isinstance(result, DeadLetter) and "UTF-8" in result.reason


def test_mapping_applies_columns_constants_and_metadata():
    mapping = FieldMapping({"source_id": "tweet_id", "text": "body", "created_at": "when", "lang": "=en",
                            "brand_hints": "airline", "metadata.retweets": "rt"},
                           timestamp_format="%Y-%m-%d %H:%M:%S %z", source_name="tw")
    payload = json.dumps({"tweet_id": "9", "body": "hi", "when": "2015-02-24 11:35:52 -0800", "airline": "United",
                          "rt": "3"})
    mention = parse(payload, {"tw": mapping}, source="tw")
    assert isinstance(mention, Mention)
    assert mention.source == "tw" and mention.source_id == "9" and mention.lang == "en"
    assert mention.brand_hints == ("United",) and mention.metadata == {"retweets": "3"}
    assert mention.created_at == datetime(2015, 2, 24, 19, 35, 52, tzinfo=timezone.utc)
