"""A small, literal SSE reader for the backend's tests.

The client has its own WHATWG decoder (``core/``); these tests must not depend
on it, so this one keeps every field as it came (ids, retry, comments) to let
the tests check the wire itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Block:
    """One blank-line-terminated block: an event, or only comments / retry."""

    id: str | None = None
    data: list[str] = field(default_factory=list)
    retry: str | None = None
    event: str | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def payload(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads("\n".join(self.data))
        return value

    @property
    def type(self) -> str | None:
        return self.payload.get("type") if self.data else None


def blocks(response: httpx.Response) -> Iterator[Block]:
    """Blocks as they arrive; ends when the server ends the body."""
    current = Block()
    touched = False
    for line in response.iter_lines():
        if line == "":
            if touched:
                yield current
            current, touched = Block(), False
            continue
        touched = True
        if line.startswith(":"):
            current.comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            current.data.append(value)
        elif name == "id":
            current.id = value
        elif name == "retry":
            current.retry = value
        elif name == "event":
            current.event = value
    if touched:
        yield current


def events(response: httpx.Response) -> Iterator[Block]:
    """Only blocks with data."""
    return (b for b in blocks(response) if b.data)


def collect(
    response: httpx.Response, stop: Callable[[Block], bool] | None = None, limit: int = 10_000
) -> list[Block]:
    """Event blocks until ``stop`` says so (inclusive), the body ends, or ``limit``."""
    found: list[Block] = []
    for block in events(response):
        found.append(block)
        if (stop is not None and stop(block)) or len(found) >= limit:
            break
    return found
