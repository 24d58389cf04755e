"""Bounded memory of seen mention ids: the deduplication state, kept per shard in Bytewax state."""

from __future__ import annotations

import hashlib
from collections import OrderedDict


def shard_of(mention_id: str, shards: int) -> str:
    """A stable shard key (not Python's salted hash), so every worker and restart agrees."""
    digest = hashlib.blake2b(mention_id.encode("utf-8"), digest_size=4).digest()
    return f"{int.from_bytes(digest, 'big') % shards:04d}"


class SeenIds:
    """Remembers up to `capacity` ids; the least recently seen are forgotten first."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __deepcopy__(self, memo: dict) -> "SeenIds":
        """Bytewax deep-copies state for every snapshot; ids are strings, so a C-level copy of the dict is a deep
        copy, without visiting each of up to max_ids/shards entries in Python."""
        clone = SeenIds.__new__(SeenIds)
        clone.capacity = self.capacity
        clone._ids = OrderedDict(self._ids)
        return clone

    def __len__(self) -> int:
        return len(self._ids)

    def check_and_add(self, mention_id: str) -> bool:
        """True when the id is new (and now remembered); False for a duplicate."""
        if mention_id in self._ids:
            self._ids.move_to_end(mention_id)
            return False
        self._ids[mention_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True
