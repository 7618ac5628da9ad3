"""The command line's side of acting on a batch (issue 16): hand the request to the
running instance over the single-instance socket, print its answer, exit.

    storyclip-desktop pause|resume|cancel|retry-failed BATCH_ID
    storyclip-desktop --list

No window, no event loop, no QApplication: QtCore and QtNetwork only, so a script
or a desktop shortcut gets its answer at once. Exit codes: 0 done; 1 failed;
2 no instance runs (or the command line is wrong); 3 refused (the batch's state,
or the server said no); 4 unsupported (the server cannot do it); 5 the instance
did not answer in time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = ["ACTIONS", "EXIT_CODES", "is_remote", "main"]

ACTIONS = ("pause", "resume", "cancel", "retry-failed")
EXIT_CODES = {"ok": 0, "failed": 1, "refused": 3, "unsupported": 4}
NO_INSTANCE = 2
NO_ANSWER = 5


def is_remote(argv: Sequence[str]) -> bool:
    """Whether this command line is for the running instance, not a new app."""
    return bool(argv) and (argv[0] in ACTIONS or argv[0] == "--list")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storyclip-desktop",
        description="Act on a batch in the running StoryClip Desktop, or list its batches.",
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--list", action="store_true", help="print the batches it follows")
    group.add_argument("action", nargs="?", choices=ACTIONS, help="what to do")
    parser.add_argument("batch_id", nargs="?", metavar="BATCH_ID", help="the batch")
    return parser


def main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command-line request (see the module docstring); the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    args = parser.parse_args(list(argv))
    if args.list and args.batch_id:
        parser.error("--list takes no batch id")
    if args.action and not args.batch_id:
        parser.error(f"{args.action} needs a BATCH_ID")
    request: dict[str, Any] = (
        {"op": "list"}
        if args.list
        else {"op": "control", "action": args.action, "batch_id": args.batch_id}
    )
    from storyclip_desktop.instance import SingleInstance

    try:
        answer = SingleInstance().ask(request)
    except TimeoutError as exc:
        print(f"no answer: {exc}", file=err)
        return NO_ANSWER
    if answer is None:
        print("StoryClip Desktop is not running", file=err)
        return NO_INSTANCE
    result = str(answer.get("result", "failed"))
    if args.list and result == "ok":
        for line in answer.get("lines", []):
            print(line, file=out)
        return 0
    message = str(answer.get("message") or "")
    print(f"{result}: {message}" if message and result != "ok" else result, file=out)
    return EXIT_CODES.get(result, 1)
