"""File connector: JSONL and CSV exports read record by record, with a column mapping to Mention fields."""

from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from connectors.mention import Mention, build_mention
from connectors.timestamps import parse_timestamp

MENTION_FIELDS = set(Mention.model_fields)
csv.field_size_limit(sys.maxsize)


def file_format(path: str | Path, declared: str | None = None) -> str:
    if declared:
        return declared
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    raise ValueError(f"cannot tell the format of {path}; set format: jsonl or format: csv")


@dataclass(frozen=True)
class FieldMapping:
    """Mention field -> key in the record. '=value' is a constant; 'metadata.NAME' fields go to metadata.

    Unmapped Mention fields are looked up under their own name.
    """

    mapping: dict[str, str]
    timestamp_format: str | None = None
    source_name: str = "file"

    def __post_init__(self) -> None:
        unknown = [k for k in self.mapping if k not in MENTION_FIELDS and not k.startswith("metadata.")]
        if unknown:
            raise ValueError(f"mapping names unknown Mention fields {unknown}; known: {sorted(MENTION_FIELDS)}")

    def _lookup(self, record: dict[str, Any], field: str) -> Any:
        key = self.mapping.get(field, field)
        if key.startswith("="):
            return key[1:]
        return record.get(key)

    def created_at(self, record: dict[str, Any]) -> Any:
        return self._lookup(record, "created_at")

    def apply(self, record: dict[str, Any]) -> Mention:
        fields: dict[str, Any] = {}
        for field in MENTION_FIELDS:
            value = self._lookup(record, field)
            if value is not None and value != "":
                fields[field] = value
        metadata = dict(fields.get("metadata") or {})
        for key, column in self.mapping.items():
            if key.startswith("metadata."):
                value = record.get(column)
                if value is not None and value != "":
                    metadata[key.removeprefix("metadata.")] = value
        if metadata:
            fields["metadata"] = metadata
        for stamp in ("created_at", "fetched_at"):
            if stamp in fields:
                try:
                    fields[stamp] = parse_timestamp(fields[stamp], self.timestamp_format)
                except (ValueError, TypeError, OverflowError) as error:
                    raise ValueError(f"{stamp}: {error}") from None
        if "rating" in fields:
            try:
                fields["rating"] = float(fields["rating"])
            except (ValueError, TypeError):
                raise ValueError(f"rating: expected a number from 1 to 5, found {fields['rating']!r}") from None
        return build_mention(fields, self.source_name)


def iter_lines(path: Path, start_offset: int = 0) -> Iterator[tuple[int, int, bytes]]:
    """(line number, offset after the line, raw bytes) for each non-empty JSONL line."""
    with path.open("rb") as handle:
        handle.seek(start_offset)
        line_no = 0
        for raw in handle:
            line_no += 1
            offset = handle.tell()
            stripped = raw.rstrip(b"\r\n")
            if stripped.strip():
                yield line_no, offset, stripped


def iter_csv_rows(path: Path, skip_rows: int = 0) -> Iterator[tuple[int, str]]:
    """(row number, the row as a JSON object string); undecodable bytes survive as surrogates for validation."""
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        for row_no, row in enumerate(reader, start=1):
            if row_no <= skip_rows:
                continue
            yield row_no, json.dumps(row, ensure_ascii=True)


def iter_file_records(path: Path, fmt: str) -> Iterator[tuple[str, bytes | str]]:
    """(origin, payload) for every record of a JSONL or CSV file; origin is `<file>:line<n>` or `<file>:row<n>`."""
    if fmt == "csv":
        return ((f"{path.name}:row{n}", row) for n, row in iter_csv_rows(path))
    return ((f"{path.name}:line{n}", raw) for n, _offset, raw in iter_lines(path))
