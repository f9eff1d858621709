"""The gazetteer: names that place a story in the home county or elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_PLACES = Path(__file__).with_name("places.yaml")


@dataclass(frozen=True)
class Gazetteer:
    home_names: tuple[str, ...]
    home_channels: tuple[str, ...]
    elsewhere: tuple[str, ...]


@lru_cache(maxsize=2)
def load_gazetteer(path: str | None = None) -> Gazetteer:
    raw = yaml.safe_load(Path(path or DEFAULT_PLACES).read_text(encoding="utf-8"))
    home = raw["home"]
    names = [*home["county"], *home["towns"], *home.get("bodies", [])]
    return Gazetteer(home_names=tuple(names),
                     home_channels=tuple(home.get("channels", [])),
                     elsewhere=tuple(raw["elsewhere"]))
