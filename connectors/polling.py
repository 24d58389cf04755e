"""One poll of an HTTP source, shared by every polled connector: conditional GET, parse, keep only items not
handed on before, update the checkpoint in memory (the caller saves it once the items are handed on)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from connectors.checkpoint import SourceCheckpoint
from connectors.dead_letter import DeadLetter
from connectors.http import HttpClient
from connectors.mention import Mention


@dataclass(frozen=True)
class SourceItem:
    """One item of a source, identified (for the checkpoint), already a Mention."""

    item_id: str
    mention: Mention


Parser = Callable[[bytes, dict[str, str]], tuple[list[SourceItem], list[DeadLetter]]]


def poll(client: HttpClient, url: str, parse: Parser, checkpoint: SourceCheckpoint,
         capacity: int = 10_000, headers: dict[str, str] | None = None) -> tuple[list[Mention], list[DeadLetter]]:
    headers = dict(headers or {})
    if checkpoint.etag:
        headers["If-None-Match"] = checkpoint.etag
    if checkpoint.last_modified:
        headers["If-Modified-Since"] = checkpoint.last_modified
    response = client.get(url, headers)
    if response.not_modified:
        return [], []
    items, letters = parse(response.body, response.headers)
    fresh = [item for item in items if checkpoint.is_new(item.item_id)]
    for item in fresh:
        checkpoint.mark_seen(item.item_id, capacity)
    lower = {k.lower(): v for k, v in response.headers.items()}
    checkpoint.etag = lower.get("etag", checkpoint.etag)
    checkpoint.last_modified = lower.get("last-modified", checkpoint.last_modified)
    return [item.mention for item in fresh], letters
