"""Robot message text: the same facts as every alert, made safe for each robot's markup.

Headlines and evidence are copied from crawled pages, so they are untrusted: a headline like
``[点我](http://evil) @all`` must reach a DingTalk, WeCom, Feishu or Slack group as the text it
is, never as a link, an image or a mention. Markdown syntax characters in untrusted text are
replaced by their full-width forms rather than backslash-escaped, because the robots' renderers
do not document backslash escapes; full-width punctuation reads naturally in Chinese text and
no renderer parses it. ``@`` becomes ``＠`` for the same reason. Line breaks are collapsed, so
untrusted text can never start a line (a heading, a quote, a list item).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from alerts.render import KIND_LABELS, STAGE_LABELS

#: Long evidence is cut: WeCom refuses markdown over 4096 bytes, and a sentence is enough.
MAX_EVIDENCE = 300
MAX_LINE = 200

_WHITESPACE = re.compile(r"\s+")
_MARKDOWN = str.maketrans({
    "[": "［", "]": "］", "(": "（", ")": "）", "*": "＊", "_": "＿", "`": "｀", "#": "＃",
    ">": "＞", "<": "＜", "!": "！", "~": "～", "|": "｜", "\\": "＼", "&": "＆", "@": "＠",
})
_SLACK = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "＠"})
_PLAIN = str.maketrans({"<": "＜", ">": "＞", "@": "＠"})


def clip(value: object, limit: int = MAX_LINE) -> str:
    """One line of at most ``limit`` characters; ``None`` is empty."""
    text = _WHITESPACE.sub(" ", "" if value is None else str(value)).strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


def escape_markdown(value: object, limit: int = MAX_LINE) -> str:
    """Untrusted text for DingTalk or WeCom markdown: no link, image, emphasis, tag or mention."""
    return clip(value, limit).translate(_MARKDOWN)


def escape_slack(value: object, limit: int = MAX_LINE) -> str:
    """Untrusted text for Slack mrkdwn: the three characters Slack parses, and ``@``."""
    return clip(value, limit).translate(_SLACK)


def neutralise(value: object, limit: int = MAX_LINE) -> str:
    """Untrusted text for a plain-text field (Feishu ``text`` tags, notification titles)."""
    return clip(value, limit).translate(_PLAIN)


def safe_url(value: object) -> str | None:
    """An http(s) URL with every character that could end a link target percent-encoded."""
    url = clip(value, 2000)
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    return quote(url, safe=":/?#=&%+,;$-._~")


@dataclass(frozen=True)
class Facts:
    """What an alert says, as plain (still untrusted) strings."""

    kind: str
    title: str
    stage: str
    headline: str
    date: str
    evidence: str
    url: str | None
    alert_id: str

    @property
    def site_health(self) -> bool:
        return self.kind == KIND_LABELS["site_health"]


def facts(alert_id: str, payload: Mapping[str, Any]) -> Facts:
    kind = payload.get("kind", "")
    label = KIND_LABELS.get(kind, str(kind))
    if kind == "site_health":
        return Facts(kind=label, title=str(payload.get("site") or ""), stage="",
                     headline=str(payload.get("problem") or ""),
                     date=str(payload.get("day") or ""),
                     evidence=str(payload.get("detail") or ""), url=None, alert_id=alert_id)
    stage = STAGE_LABELS.get(payload.get("stage", ""), str(payload.get("stage") or ""))
    if payload.get("from_stage"):
        before = STAGE_LABELS.get(payload["from_stage"], str(payload["from_stage"]))
        stage = f"{before} → {stage}"
    return Facts(kind=label, title=str(payload.get("pledge_title") or ""), stage=stage,
                 headline=str(payload.get("headline") or ""),
                 date=str(payload.get("published") or "日期不详"),
                 evidence=str(payload.get("evidence") or ""),
                 url=safe_url(payload.get("url")), alert_id=alert_id)


def summary(f: Facts) -> str:
    """A one-line title for notification previews (plain text, neutralised)."""
    return neutralise(f"[{f.kind}] {f.title}" + (f" {f.stage}" if f.stage else ""), 120)


def markdown(f: Facts) -> str:
    """DingTalk / WeCom markdown. Only ``f.url`` (already made safe) becomes a link."""
    e = escape_markdown
    if f.site_health:
        lines = [f"#### {e(f.kind)} · {e(f.title)}", f"**问题**：{e(f.headline)}",
                 f"**日期**：{e(f.date)}"]
        if f.evidence:
            lines.append(f"**详情**：{e(f.evidence, MAX_EVIDENCE)}")
    else:
        lines = [f"#### {e(f.kind)} · {e(f.title)}", f"**阶段**：{e(f.stage)}",
                 f"**标题**：{e(f.headline)}", f"**日期**：{e(f.date)}",
                 f"**证据**：{e(f.evidence, MAX_EVIDENCE)}",
                 f"**链接**：[原文]({f.url})" if f.url else "**链接**：无"]
    lines.append(f"pledgewatch alert id: {e(f.alert_id, 64)}")
    return "\n\n".join(lines)


def slack(f: Facts) -> str:
    """Slack mrkdwn; the article link is Slack's ``<url|text>`` with escaped text."""
    e = escape_slack
    if f.site_health:
        lines = [f"*{e(f.kind)}* · {e(f.title)}: {e(f.headline)}", f"日期: {e(f.date)}"]
        if f.evidence:
            lines.append(f"详情: {e(f.evidence, MAX_EVIDENCE)}")
    else:
        link = f"<{f.url}|{e(f.headline)}>" if f.url else e(f.headline)
        lines = [f"*{e(f.kind)}* · {e(f.title)} — {e(f.stage)}", f"{e(f.date)} {link}",
                 f"> {e(f.evidence, MAX_EVIDENCE)}"]
    lines.append(f"pledgewatch alert id: `{e(f.alert_id, 64)}`")
    return "\n".join(lines)


def feishu_post(f: Facts) -> dict[str, Any]:
    """A Feishu ``post``: every value in a ``text`` tag (never parsed), the link in an ``a`` tag."""
    n = neutralise

    def text(label: str, value: str, limit: int = MAX_LINE) -> list[dict[str, Any]]:
        return [{"tag": "text", "text": f"{label}：{n(value, limit)}"}]

    if f.site_health:
        rows = [text("站点", f.title), text("问题", f.headline), text("日期", f.date)]
        if f.evidence:
            rows.append(text("详情", f.evidence, MAX_EVIDENCE))
    else:
        rows = [text("承诺", f.title), text("阶段", f.stage), text("标题", f.headline),
                text("日期", f.date),
                text("证据", f.evidence, MAX_EVIDENCE)]
        rows.append([{"tag": "text", "text": "链接："}, {"tag": "a", "text": "原文",
                                                       "href": f.url}]
                    if f.url else text("链接", "无"))
    rows.append([{"tag": "text", "text": f"pledgewatch alert id: {n(f.alert_id, 64)}"}])
    return {"post": {"zh_cn": {"title": summary(f), "content": rows}}}


# -- digests: several alerts in one message, each entry exactly as its own message would be ----


def digest_title(count: int) -> str:
    """The digest's heading and notification title (ours, no untrusted text)."""
    return f"pledgewatch：{count} 条提醒"


def markdown_digest(entries: Sequence[Facts]) -> str:
    """DingTalk / WeCom markdown: a heading, then each alert's own block."""
    return "\n\n".join([f"### {digest_title(len(entries))}", *(markdown(f) for f in entries)])


def slack_digest(entries: Sequence[Facts]) -> str:
    return "\n\n".join([f"*{digest_title(len(entries))}*", *(slack(f) for f in entries)])


def feishu_digest(entries: Sequence[Facts]) -> dict[str, Any]:
    """One ``post`` whose rows are each alert's rows, each led by the alert's summary line."""
    rows: list[list[dict[str, Any]]] = []
    for f in entries:
        rows.append([{"tag": "text", "text": f"—— {summary(f)}"}])
        rows.extend(feishu_post(f)["post"]["zh_cn"]["content"])
    return {"post": {"zh_cn": {"title": digest_title(len(entries)), "content": rows}}}
