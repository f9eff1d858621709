"""Quantities in news text: 1.72万亩, 一万六千六百亩, 八个, 53个, 1.2亿元, 十万千瓦.

Every quantity is reduced to a base unit of its family so that a report and a target written
in different units (16600亩 against 1.66万亩) compare directly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import cn2an

#: unit -> (family, factor to the family's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "亩": ("area", 1.0), "万亩": ("area", 1e4),
    "公顷": ("area", 15.0),
    "个": ("count", 1.0), "项": ("count", 1.0), "处": ("count", 1.0), "家": ("count", 1.0),
    "所": ("count", 1.0), "座": ("count", 1.0), "栋": ("count", 1.0),
    "千瓦": ("power", 1e-3), "万千瓦": ("power", 10.0), "兆瓦": ("power", 1.0),
    "MW": ("power", 1.0), "mw": ("power", 1.0),
    "元": ("money", 1.0), "万元": ("money", 1e4), "亿元": ("money", 1e8),
    "吨": ("mass", 1.0), "万吨": ("mass", 1e4),
    # People and households are counts too, but never of the 个 a target counts in.
    "人": ("people", 1.0), "万人": ("people", 1e4), "名": ("people", 1.0),
    "户": ("households", 1.0), "万户": ("households", 1e4),
    # Floor area is not land area: 4.2万平方米 of classrooms is no 亩 of forest.
    "平方米": ("floor", 1.0), "万平方米": ("floor", 1e4), "平方公里": ("floor", 1e6),
}
_COUNT_UNITS = ("个", "项", "处", "家", "所", "座", "栋")

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_NUMBER = rf"(?:\d+(?:\.\d+)?|[{_CN_DIGITS}]+(?:点[{_CN_DIGITS}]+)?)"
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
QUANTITY_RE = re.compile(
    rf"(?P<num>{_NUMBER})\s*(?P<mult>万|亿)?\s*(?P<approx>余|多)?\s*(?P<unit>{_UNIT_ALT})")


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    span: tuple[int, int] = (0, 0)

    @property
    def family(self) -> str:
        return UNITS[self.unit][0]

    @property
    def base(self) -> float:
        return self.value * UNITS[self.unit][1]

    def in_unit(self, unit: str) -> float | None:
        family, factor = UNITS.get(unit, ("", 0.0))
        if family != self.family or not factor:
            return None
        return self.base / factor


def parse_number(text: str) -> float | None:
    """A number in digits or characters; None when it is not one.

    Only finite numbers: ``float`` alone would take "nan" and "inf", and a run of hundreds of
    digits (untrusted page text) is infinite as a float or too large to convert at all.
    """
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        if text in ("十",):
            return 10.0
        try:
            value = float(cn2an.cn2an(text, "smart"))
        except (ValueError, KeyError, IndexError, TypeError, OverflowError):
            return None
    return value if math.isfinite(value) else None


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity with a known unit in ``text``, in order."""
    found: list[Quantity] = []
    for match in QUANTITY_RE.finditer(text):
        number = parse_number(match["num"])
        if number is None:
            continue
        unit = match["unit"]
        mult = match["mult"]
        if mult:
            combined = mult + unit
            if combined in UNITS:
                unit = combined
            else:
                number *= 1e4 if mult == "万" else 1e8
        # 一个 / 两个 in running text are words, not counts worth reporting.
        if unit in _COUNT_UNITS and match["num"] in ("一", "两") and not mult:
            continue
        # Nothing done (0个) is no quantity to report; an overflow is no number at all.
        if not (number > 0 and math.isfinite(number * UNITS[unit][1])):
            continue
        found.append(Quantity(value=number, unit=unit, span=match.span()))
    return found


def same_family(unit_a: str, unit_b: str) -> bool:
    return unit_a in UNITS and unit_b in UNITS and UNITS[unit_a][0] == UNITS[unit_b][0]
