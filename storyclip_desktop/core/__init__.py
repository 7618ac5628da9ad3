"""The client's brain: asyncio and httpx only, never Qt (see shared design)."""
