"""The floors the app is measured against, each run as its own process.

    python tests/bench/floors.py window        # QApplication + an empty QMainWindow shown
    python tests/bench/floors.py window-libs   # the same after importing the app's libraries
    python tests/bench/floors.py parse --url U --api-key K --token T --ids A,B,...

``window*`` print one JSON line: ``shown`` (unix time right after ``show()``,
which is where the app logs ``started``), and the process's ``rss`` / ``hwm``
once the window has been through the event loop. ``parse`` opens the streams
with a bare httpx + httpx-sse loop that only parses (SSE and JSON) and counts,
prints ``ready`` once every stream said ``connected`` (the runner then opens the
gates), and at the end one JSON line with ``events`` and ``first`` / ``last``
(unix times of the first and last event after ``connected``).

Only ``sys`` and ``time`` are imported before Qt: the floor is Python itself,
Qt and one window, nothing of ours.
"""

import sys
import time


def window(with_libs: bool) -> None:
    if with_libs:
        import httpx  # noqa: F401
        import httpx_sse  # noqa: F401
        import keyring  # noqa: F401
        import qasync  # noqa: F401
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    main = QMainWindow()
    main.show()
    shown = time.time()
    app.processEvents()
    import json

    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) * 1024
    print(json.dumps({"shown": shown, "rss": fields["VmRSS"], "hwm": fields["VmHWM"]}))


def parse(argv: list[str]) -> None:
    import argparse
    import asyncio
    import json

    import httpx
    import httpx_sse

    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--ids", required=True)
    args = parser.parse_args(argv)
    ids = args.ids.split(",")
    headers = {"X-Api-Key": args.api_key, "Authorization": f"Bearer {args.token}"}
    counts = {"events": 0, "connected": 0}
    times = {"first": 0.0, "last": 0.0}

    async def follow(client: httpx.AsyncClient, batch_id: str, ready: asyncio.Event) -> None:
        async with httpx_sse.aconnect_sse(
            client, "GET", f"{args.url}/api/metricool/stream", params={"batchId": batch_id},
            headers=headers,
        ) as source:  # fmt: skip
            async for sse in source.aiter_sse():
                if not sse.data:
                    continue  # httpx-sse dispatches heartbeats as empty events
                event = json.loads(sse.data)
                kind = event["type"]
                if kind == "connected":
                    counts["connected"] += 1
                    if counts["connected"] == len(ids):
                        ready.set()
                    continue
                now = time.time()
                if not counts["events"]:
                    times["first"] = now
                times["last"] = now
                counts["events"] += 1
                if kind == "completed":
                    return

    async def run() -> None:
        limits = httpx.Limits(max_connections=len(ids) + 5, max_keepalive_connections=len(ids))
        timeout = httpx.Timeout(30.0, read=None)
        async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
            ready = asyncio.Event()
            tasks = [asyncio.ensure_future(follow(client, b, ready)) for b in ids]
            waiting = asyncio.ensure_future(ready.wait())
            await asyncio.wait([waiting, *tasks], return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                if task.done():
                    task.result()  # a stream that failed before `ready` fails the floor
            print("ready", flush=True)
            await asyncio.gather(*tasks)

    asyncio.run(run())
    print(json.dumps({**counts, **times}), flush=True)


if __name__ == "__main__":
    kind = sys.argv[1]
    if kind in ("window", "window-libs"):
        window(kind == "window-libs")
    elif kind == "parse":
        parse(sys.argv[2:])
    else:
        raise SystemExit(f"unknown floor {kind!r}")
