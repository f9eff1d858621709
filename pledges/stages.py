"""The progress scale every part of pledgewatch speaks, weakest first, with its labels."""

from __future__ import annotations

STAGES: tuple[str, ...] = ("none", "planned", "started", "in_progress", "completed")
STAGE_ORDER: dict[str, int] = {stage: rank for rank, stage in enumerate(STAGES)}

#: How the scale reads to people; ``no_news`` is a pledge no story has mentioned yet.
LABELS_ZH: dict[str, str] = {"no_news": "暂无报道", "none": "仅提及", "planned": "筹备/手续",
                             "started": "已开工", "in_progress": "推进中", "completed": "已完成"}
LABELS_EN: dict[str, str] = {"no_news": "no news", "none": "mentioned", "planned": "planned",
                             "started": "started", "in_progress": "in progress",
                             "completed": "completed"}
