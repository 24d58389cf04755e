"""Retrying with exponential backoff until a deadline: the one loop behind the broker waits and ClickHouse inserts."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def retry_with_backoff(
    action: Callable[[], T],
    *,
    retry_on: tuple[type[BaseException], ...],
    timeout: float,
    first_delay: float = 0.5,
    max_delay: float = 15.0,
    on_retry: Callable[[BaseException, int, float], None] | None = None,
    give_up: Callable[[BaseException], BaseException] | None = None,
    max_attempts: int | None = None,
) -> T:
    """`action()`, retried on `retry_on` with delays doubling from `first_delay` up to `max_delay`, for at most
    `timeout` seconds (and at most `max_attempts` tries); then the last error is raised, or `give_up(error)` when given."""
    deadline = time.monotonic() + timeout
    delay, attempt = first_delay, 0
    while True:
        attempt += 1
        try:
            return action()
        except retry_on as error:
            if time.monotonic() + delay > deadline or (max_attempts is not None and attempt >= max_attempts):
                if give_up is None:
                    raise
                raise give_up(error) from error
            if on_retry is not None:
                on_retry(error, attempt, delay)
            time.sleep(delay)
            delay = min(delay * 2, max_delay)
