"""Persisted connector checkpoints: per source, the validators of the last fetch (ETag, Last-Modified) and a
bounded list of the ids already handed on, so a restart neither re-emits nor skips items."""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SourceCheckpoint:
    etag: str | None = None
    last_modified: str | None = None
    seen: "OrderedDict[str, None]" = field(default_factory=OrderedDict)

    def is_new(self, item_id: str) -> bool:
        return item_id not in self.seen

    def to_dict(self) -> dict:
        return {"etag": self.etag, "last_modified": self.last_modified, "seen": list(self.seen)}

    @classmethod
    def from_dict(cls, data: dict | None) -> "SourceCheckpoint":
        data = data or {}
        return cls(data.get("etag"), data.get("last_modified"), OrderedDict((i, None) for i in data.get("seen", [])))

    def mark_seen(self, item_id: str, capacity: int) -> None:
        self.seen[item_id] = None
        self.seen.move_to_end(item_id)
        while len(self.seen) > capacity:
            self.seen.popitem(last=False)


class CheckpointStore:
    """One JSON file per source in `directory`, replaced atomically on save."""

    def __init__(self, directory: str | Path, capacity: int = 10_000) -> None:
        self.directory = Path(directory)
        self.capacity = capacity

    def _path(self, source: str) -> Path:
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in source)
        return self.directory / f"{safe}.json"

    def load(self, source: str) -> SourceCheckpoint:
        path = self._path(source)
        if not path.is_file():
            return SourceCheckpoint()
        return SourceCheckpoint.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def save(self, source: str, checkpoint: SourceCheckpoint) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(source)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(checkpoint.to_dict()), encoding="utf-8")
        os.replace(tmp, path)
