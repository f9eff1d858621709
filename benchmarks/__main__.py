"""`python -m benchmarks`: list the benchmarks (each runs as `python -m benchmarks.<name>`)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def main() -> int:
    print("usage: python -m benchmarks.<name> [options]   (--help on each for its options)")
    print()
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        try:
            doc = importlib.import_module(f"benchmarks.{info.name}").__doc__ or ""
        except Exception as exc:  # one broken benchmark must not hide the others
            doc = f"(cannot import: {exc.__class__.__name__}: {exc})"
        summary = doc.strip().splitlines()[0] if doc.strip() else ""
        print(f"  {info.name:16s} {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
