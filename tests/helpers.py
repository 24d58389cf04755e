"""Small builders shared by tests (records with chosen sentiment/topics), not used by the product code."""

from __future__ import annotations

from datetime import datetime

from connectors.mention import build_mention
from nlp.analyzer import Analysis, TopicSentiment
from nlp.sentiment import label_for
from pipeline.records import AnalyzedMention, BrandMention, TopicMention


def analyzed(mid: str, when: datetime, sentiment: float, brand: str = "A", topics: dict[str, float] | None = None,
             rating: float | None = None, text: str | None = None) -> AnalyzedMention:
    mention = build_mention({"source": "t", "source_id": mid, "text": text or f"text {mid}", "created_at": when,
                             "rating": rating}, "t")
    topic_list = tuple(TopicSentiment(t, s, label_for(s), "") for t, s in (topics or {}).items())
    return AnalyzedMention(mention, Analysis("en", sentiment, label_for(sentiment), topic_list), (brand,))


def brand_item(*args, **kwargs) -> BrandMention:
    item = analyzed(*args, **kwargs)
    return BrandMention(item.brands[0], item)


def topic_item(mid: str, when: datetime, sentiment: float, topic: str, brand: str = "A") -> TopicMention:
    item = analyzed(mid, when, sentiment, brand, {topic: sentiment})
    return TopicMention(brand, topic, item, sentiment, label_for(sentiment))
