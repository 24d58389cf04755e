from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from connectors.mention import Mention, ValidationLimits, build_mention, check_limits, stable_mention_id


def _fields(**overrides):
    base = {"source": "reviews", "source_id": "r1", "text": "Great coffee", "created_at": "2026-03-02T10:00:00+01:00"}
    base.update(overrides)
    return base


def test_build_fills_stable_id_and_converts_to_utc():
    mention = build_mention(_fields(), "file")
    assert mention.id == stable_mention_id("reviews", "r1")
    assert mention.created_at == datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    assert build_mention(_fields(), "file").id == mention.id


def test_json_round_trip_keeps_every_field():
    mention = build_mention(
        _fields(rating=4, lang="IT", brand_hints=["Acme"], metadata={"likes": 3}, url="https://x", author="a", title="t"),
        "file",
    )
    again = Mention.from_json(mention.to_json())
    assert again == mention
    assert again.lang == "it"
    assert '"schema_version":1' in mention.to_json()


def test_content_hash_when_source_gives_no_id():
    a = build_mention({"text": "same", "created_at": "2026-01-01T00:00:00Z"}, "rss")
    b = build_mention({"text": "same", "created_at": "2026-01-01T00:00:00Z"}, "rss")
    c = build_mention({"text": "other", "created_at": "2026-01-01T00:00:00Z"}, "rss")
    assert a.id == b.id != c.id


@pytest.mark.parametrize(
    "overrides, fragment",
    [
        ({"text": "   "}, "blank"),
        ({"rating": 7}, "rating"),
        ({"created_at": "2026-03-02T10:00:00"}, "timezone"),
        ({"lang": "english!"}, "ISO 639-1"),
    ],
)
def test_invalid_fields_are_rejected_with_reason(overrides, fragment):
    with pytest.raises(ValidationError) as error:
        build_mention(_fields(**overrides), "file")
    assert fragment in str(error.value)


def test_limits_reject_long_text_and_future_timestamps():
    limits = ValidationLimits(max_text_chars=20, max_future=timedelta(hours=1))
    now = datetime(2026, 3, 2, tzinfo=timezone.utc)
    long = build_mention(_fields(text="x" * 21, created_at="2026-03-01T00:00:00Z"), "f")
    assert "21 characters" in check_limits(long, limits, now)
    future = build_mention(_fields(created_at="2026-03-02T02:00:00Z"), "f")
    assert "future" in check_limits(future, limits, now)
    fine = build_mention(_fields(created_at="2026-03-02T00:30:00Z"), "f")
    assert check_limits(fine, limits, now) is None
