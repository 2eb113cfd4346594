"""The ``iamspec`` command: one subcommand per module ``harness/cmd_<name>.py``.

Each command module exposes ``register(subparsers) -> None``, which adds its parser and sets
``func=handler`` on it; ``handler(args) -> int`` returns the exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("decide", "explain", "can", "replay", "conform", "prove", "compare", "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="iamspec",
        description="An executable, formally checked specification of AWS IAM, and a harness that holds "
        "other IAM implementations to it.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"harness.cmd_{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"harness.cmd_{name}":
                raise
            continue  # a command not built yet is simply absent from the list
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
