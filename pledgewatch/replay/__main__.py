"""``python -m pledgewatch.replay --port N``: the replay without the CLI."""

from __future__ import annotations

import argparse

from pledgewatch.replay.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m pledgewatch.replay")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--root", default=None, help="recording root (tests/data/sites)")
    args = parser.parse_args()
    serve(args.port, root=args.root)


if __name__ == "__main__":
    main()
