"""Load and validate the registry; refuse to run on a bad one."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from pledges.schema import Registry

DEFAULT_REGISTRY = Path(__file__).with_name("registry.yaml")


class RegistryError(ValueError):
    """A registry that cannot be used; the message names the entry and the field."""


def _describe(error: dict, raw: dict) -> str:
    loc = list(error["loc"])
    where = ".".join(str(part) for part in loc)
    if len(loc) >= 2 and loc[0] == "pledges" and isinstance(loc[1], int):
        entries = raw.get("pledges") or []
        entry = entries[loc[1]] if loc[1] < len(entries) else {}
        pledge_id = entry.get("id", f"#{loc[1]}") if isinstance(entry, dict) else f"#{loc[1]}"
        field = ".".join(str(part) for part in loc[2:]) or "(entry)"
        return f"pledge {pledge_id!r}, field {field}: {error['msg']}"
    return f"{where or '(file)'}: {error['msg']}"


def parse_registry(text: str, source: str = "<registry>") -> Registry:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        # One line: where and what (the full YAML message spans several with a caret).
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        raise RegistryError(f"{source}: not valid YAML{where}: {problem}") from exc
    if not isinstance(raw, dict):
        raise RegistryError(f"{source}: expected a mapping with 'version', 'seed' and 'pledges'")
    try:
        return Registry.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(err, raw) for err in exc.errors())
        raise RegistryError(f"{source}: {problems}") from None


def load_registry(path: Path | str | None = None) -> Registry:
    """Read the registry (the packaged one unless ``path`` is given)."""
    target = Path(path) if path else DEFAULT_REGISTRY
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(f"{target}: cannot read the registry: {exc.strerror}") from exc
    return parse_registry(text, str(target))


@lru_cache(maxsize=4)
def cached_registry(path: str | None = None) -> Registry:
    return load_registry(path)
