"""A site's declared selectors, as written in its YAML declaration.

Every field is optional and holds CSS selectors tried in order; a field the site does not
declare (or whose selectors all miss) falls through to `<meta>` tags and then to the generic
extractor, so a template change degrades an article instead of losing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import soupsieve


def _as_selectors(name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        raise ValueError(f"extraction rule {name!r}: expected a selector or a list, got {value!r}")
    selectors: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"extraction rule {name!r}: selector {item!r} is not a string")
        item = item.strip()
        if item:
            selectors.append(item)
    return tuple(selectors)


@dataclass(frozen=True)
class ExtractionRules:
    """CSS selectors per field; for each field the first selector with a non-empty match wins."""

    title: tuple[str, ...] = ()  # the headline element
    published: tuple[str, ...] = ()  # elements whose text holds the publication date
    source: tuple[str, ...] = ()  # elements whose text holds 来源:XXX
    author: tuple[str, ...] = ()  # author / reporter text
    body: tuple[str, ...] = ()  # the body container(s)
    drop: tuple[str, ...] = ()  # removed before anything is read (share bars, related lists)

    def __post_init__(self) -> None:
        # Accept a bare string or list from hand-written code as well as tuples.
        for f in fields(self):
            object.__setattr__(self, f.name, _as_selectors(f.name, getattr(self, f.name)))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ExtractionRules:
        """Rules from a YAML mapping whose values are a selector or a list of selectors.

        Unknown keys and selectors soupsieve cannot compile raise ValueError, so a typo in a site
        declaration fails when the declaration is loaded, not silently on every page.
        """
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ValueError(f"extraction rules must be a mapping, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(str(k) for k in data if k not in known)
        if unknown:
            raise ValueError(f"unknown extraction rule(s) {', '.join(unknown)}; "
                             f"known: {', '.join(sorted(known))}")
        values = {name: _as_selectors(name, data.get(name)) for name in known}
        for name, selectors in values.items():
            for selector in selectors:
                try:
                    soupsieve.compile(selector)
                except Exception as exc:  # soupsieve raises SelectorSyntaxError and others
                    raise ValueError(f"extraction rule {name!r}: bad selector {selector!r}: {exc}"
                                     ) from exc
        return cls(**values)
