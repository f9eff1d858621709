"""The SQL recipes of docs/analysts.md, parsed out of the Markdown so the tests run what readers read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
DIALECTS = ("sqlite", "postgresql")

_FENCE = re.compile(r"^```sql[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_TAG = re.compile(r"^--\s*recipe:\s*([a-z0-9-]+)\s*(?:\[(sqlite|postgresql)\])?\s*$")
_HEADING = re.compile(r"^#{2,4}\s+(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Recipe:
    name: str
    sql: str
    dialect: str | None  # None: runs on both
    heading: str

    @property
    def views_only(self) -> bool:
        return "(views only)" in self.heading

    def runs_on(self, dialect: str) -> bool:
        return self.dialect in (None, dialect)


class RecipeFormatError(ValueError):
    pass


def parse_recipes(text: str | None = None) -> list[Recipe]:
    text = DOC.read_text(encoding="utf-8") if text is None else text
    recipes = []
    for match in _FENCE.finditer(text):
        body = match.group(1)
        first = body.splitlines()[0] if body.strip() else ""
        tag = _TAG.match(first.strip())
        if tag is None:
            raise RecipeFormatError(f"a sql block does not start with '-- recipe: <name>': {first!r}")
        headings = _HEADING.findall(text, 0, match.start())
        sql = body.strip().rstrip(";").strip()
        recipes.append(Recipe(name=tag.group(1), sql=sql, dialect=tag.group(2),
                              heading=headings[-1].strip() if headings else ""))
    return recipes
