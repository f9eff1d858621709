"""What every alert says: the pledge, the stage, the headline, the date, the evidence, the link."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from pledges.stages import LABELS_ZH

STAGE_LABELS = LABELS_ZH
KIND_LABELS = {"new_mention": "新报道", "stage_change": "进展变化", "site_health": "站点异常"}


def plain_text(payload: Mapping[str, Any]) -> str:
    kind = KIND_LABELS.get(payload.get("kind", ""), payload.get("kind", ""))
    if payload.get("kind") == "site_health":
        text = f"[{kind}] {payload.get('site')}: {payload.get('problem')}"
        extra = " ".join(str(payload[k]) for k in ("day", "detail") if payload.get(k))
        return f"{text}\n{extra}" if extra else text
    stage = STAGE_LABELS.get(payload.get("stage", ""), payload.get("stage", ""))
    lines = [f"[{kind}] {payload.get('pledge_title')} — {stage}",
             f"{payload.get('published') or '日期不详'} {payload.get('headline') or ''}",
             f"证据: {payload.get('evidence') or ''}",
             f"{payload.get('url') or ''}"]
    if payload.get("from_stage"):
        lines.insert(1, f"由 {STAGE_LABELS.get(payload['from_stage'], payload['from_stage'])}"
                        f" 进展为 {stage}")
    return "\n".join(lines)


def html_block(payload: Mapping[str, Any]) -> str:
    """An HTML fragment; every value is escaped (article text is untrusted)."""
    esc = {k: html.escape(str(v)) if v is not None else "" for k, v in payload.items()}
    if payload.get("kind") == "site_health":
        return (f"<p><b>站点异常</b> {esc.get('site')}: {esc.get('problem')}"
                f" <small>{esc.get('day', '')} {esc.get('detail', '')}</small></p>")
    stage = html.escape(STAGE_LABELS.get(payload.get("stage", ""), payload.get("stage", "")))
    url = esc.get("url", "")
    return (f"<div class='alert'><h3>{esc.get('pledge_title')} — {stage}</h3>"
            f"<p>{esc.get('published')} <a href=\"{url}\">{esc.get('headline')}</a></p>"
            f"<blockquote>{esc.get('evidence')}</blockquote></div>")
