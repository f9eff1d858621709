"""``python -m tests.spiders.regen``: rewrite the golden JSON files on purpose.

Run it after a deliberate change to a site declaration, the list parser, the extractor or the
recording, read the diff, and commit it with the change that caused it.
"""

from __future__ import annotations

import json
import sys

from spiders.sites import load_sites
from tests.spiders.golden_cases import GOLDEN, build_site


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or sorted(load_sites())
    GOLDEN.mkdir(exist_ok=True)
    for name in names:
        data = build_site(name)
        path = GOLDEN / f"{name}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")
        print(f"{path}: {len(data['lists'])} list page(s), {len(data['articles'])} article(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
