"""The batch linking interface: JSON lines in, JSON lines out, one per article, in order."""

from __future__ import annotations

import json
from typing import IO

from transforms.evaluate import article_from_record
from transforms.link import Linker


def link_record(linker: Linker, record: dict) -> dict:
    links = linker.link(article_from_record(record))
    return {"id": record["id"], "links": [
        {k: v for k, v in lk.to_dict().items() if k in
         ("pledge_id", "stage", "score", "quantity", "evidence")} for lk in links]}


def link_stream(linker: Linker, src: IO[str], dst: IO[str]) -> int:
    """Link every line of ``src``; a malformed line is an error naming its line number."""
    count = 0
    for number, line in enumerate(src, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or "id" not in record:
                raise ValueError("expected an object with an 'id'")
            result = link_record(linker, record)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"line {number}: {exc}") from None
        dst.write(json.dumps(result, ensure_ascii=False) + "\n")
        count += 1
    return count
