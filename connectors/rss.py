"""RSS/Atom connector (feedparser): conditional GET honouring 304, entry identity from id/guid/link with a
content-hash fallback, HTML stripped to text; a broken feed is a warning (entries still read) or a dead letter."""

from __future__ import annotations

import calendar
import hashlib
import logging
from datetime import datetime, timezone
from typing import Any

import feedparser

from connectors.checkpoint import SourceCheckpoint
from connectors.dead_letter import DeadLetter
from connectors.html_text import html_to_text
from connectors.http import HttpClient
from connectors.mention import Mention, build_mention, utc_now
from connectors.polling import SourceItem, poll
from pipeline.config import RssSourceConfig

log = logging.getLogger("repwatch.connectors.rss")


def _entry_id(entry: Any) -> str:
    for key in ("id", "guid", "link"):
        value = entry.get(key)
        if value:
            return str(value)
    content = f"{entry.get('title', '')}\x1f{entry.get('summary', '')}"
    return "sha256:" + hashlib.sha256(content.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _entry_time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    return None


def _entry_text(entry: Any) -> str:
    contents = entry.get("content") or []
    html = contents[0].get("value", "") if contents else entry.get("summary", "") or entry.get("description", "")
    return html_to_text(html)


def _author(entry: Any) -> str:
    if entry.get("author"):
        return str(entry["author"])
    detail = entry.get("author_detail") or {}
    return str(detail.get("name", ""))


def parse_feed(body: bytes, source: RssSourceConfig, fetched_at: datetime | None = None,
               headers: dict[str, str] | None = None) -> tuple[list[SourceItem], list[DeadLetter]]:
    """Entries of a feed document as Mentions; problems as dead letters (never an exception)."""
    fetched_at = fetched_at or utc_now()
    origin = f"rss:{source.source_name} {source.url}"
    parsed = feedparser.parse(body, response_headers={k.lower(): v for k, v in (headers or {}).items()})
    letters: list[DeadLetter] = []
    bozo_note = ""
    if parsed.get("bozo"):
        reason = f"feed is not well-formed: {parsed.get('bozo_exception')}"
        bozo_note = f"{reason}; "
        if not parsed.entries:
            raw = body[:65536].decode("utf-8", "backslashreplace")
            return [], [DeadLetter(stage="connector", reason=reason, raw=raw, origin=origin)]
        log.warning("%s: %s (entries read anyway)", origin, reason)
    feed_lang = (parsed.feed.get("language") or source.lang or "") if parsed.get("feed") else (source.lang or "")
    items: list[SourceItem] = []
    for entry in parsed.entries:
        item_id = _entry_id(entry)
        title = html_to_text(entry.get("title", ""))
        text = _entry_text(entry) or title
        created = _entry_time(entry) or fetched_at
        fields = {
            "source": f"rss:{source.source_name}", "source_id": item_id, "url": entry.get("link", ""),
            "author": _author(entry), "title": title, "text": text, "created_at": created, "fetched_at": fetched_at,
            "lang": feed_lang or None, "brand_hints": tuple(source.brand_hints),
            "metadata": {"feed": source.url, "tags": ",".join(t.get("term", "") for t in entry.get("tags", []))},
        }
        try:
            items.append(SourceItem(item_id, build_mention(fields, f"rss:{source.source_name}")))
        except ValueError as error:  # pydantic's ValidationError is a ValueError
            letters.append(DeadLetter(stage="connector", reason=f"{bozo_note}entry {item_id}: {error}", raw=str(entry)[:65536],
                                      origin=origin))
    return items, letters


def poll_feed(client: HttpClient, source: RssSourceConfig, checkpoint: SourceCheckpoint,
              capacity: int = 10_000) -> tuple[list[Mention], list[DeadLetter]]:
    """One conditional GET of the feed; only entries not handed on before."""
    return poll(client, source.url, lambda body, headers: parse_feed(body, source, headers=headers), checkpoint,
                capacity)
