"""Schema of the pledge registry.

A pledge is configuration, not code: adding or correcting one is an edit to ``registry.yaml``
that this schema checks before anything runs on it.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: The six areas of work the seed interview is organised by, in its own order.
AREAS: tuple[str, ...] = ("转型发展", "乡村振兴", "城市建设", "生态保护", "民生提质", "改革创新")

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class PledgeKind(StrEnum):
    """What kind of commitment a pledge is; it decides what "completed" can mean."""

    PROJECT = "project"  # something to build or open
    QUANTITY = "quantity"  # a number to reach
    TITLE = "title"  # an honour or designation to win
    POLICY = "policy"  # a policy, reform or campaign to carry out


class Target(BaseModel):
    """A pledge's measurable target, in the unit the seed used (1.66 万亩, 8 个)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Annotated[float, Field(gt=0)]
    unit: Annotated[str, Field(min_length=1, max_length=8)]
    at_least: bool = False  # the seed says 以上 / 力争: meeting the value is enough
    # The verbs whose amounts count toward the target, where not every verb of achievement
    # does: 开工 counts for "start four compounds", not for "carry out 75 key projects".
    # None: any; []: no amount reported in the news measures this target.
    counted_by: list[Annotated[str, Field(min_length=1)]] | None = None


NonEmpty = Annotated[str, Field(min_length=1)]


class Pledge(BaseModel):
    """One concrete commitment, with the names the press would use for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: NonEmpty
    area: NonEmpty
    kind: PledgeKind
    title: NonEmpty
    seed_sentence: NonEmpty
    aliases: Annotated[list[NonEmpty], Field(min_length=1)]
    cues: list[Annotated[list[NonEmpty], Field(min_length=2)]] = Field(default_factory=list)
    exclude: list[NonEmpty] = Field(default_factory=list)
    # Words that finish this pledge whatever its kind says (a pledge to draw up a document is
    # done when it is 印发, which for other policies is only their start).
    completed_by: list[NonEmpty] = Field(default_factory=list)
    target: Target | None = None
    deadline: dt.date | None = None
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"id {value!r} must be an ascii slug like 'bo-yuan-wind-farm'")
        return value

    @field_validator("area")
    @classmethod
    def _known_area(cls, value: str) -> str:
        if value not in AREAS:
            raise ValueError(f"area {value!r} is not one of {', '.join(AREAS)}")
        return value

    @model_validator(mode="after")
    def _quantity_has_target(self) -> Pledge:
        if self.kind is PledgeKind.QUANTITY and self.target is None:
            raise ValueError("a quantity pledge needs a target")
        return self


class Registry(BaseModel):
    """The whole registry file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    seed: NonEmpty
    pledges: Annotated[list[Pledge], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_ids(self) -> Registry:
        seen: set[str] = set()
        for pledge in self.pledges:
            if pledge.id in seen:
                raise ValueError(f"pledge id {pledge.id!r} appears twice")
            seen.add(pledge.id)
        return self

    def by_id(self) -> dict[str, Pledge]:
        return {p.id: p for p in self.pledges}
