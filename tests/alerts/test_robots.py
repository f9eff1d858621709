"""The webhook and each robot against a real HTTP receiver on 127.0.0.1: what arrives, and that
a hostile headline arrives as text."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

import pytest

from alerts.deliver import channel_names, deliver_pending
from tests.alerts.conftest import (
    ALERT_ID,
    HOSTILE,
    Hit,
    Receiver,
    make_settings,
    mention_payload,
    outbox_rows,
    queue,
)

SECRET = "SECtest0123456789abcdef"
ROBOT_SETTINGS = {
    "dingtalk": lambda r: {"dingtalk_url": r.url("dingtalk", "/robot/send?access_token=tok1"),
                           "dingtalk_secret": SECRET},
    "wecom": lambda r: {"wecom_url": r.url("wecom", "/cgi-bin/webhook/send?key=k1")},
    "feishu": lambda r: {"feishu_url": r.url("feishu", "/open-apis/bot/v2/hook/h1")},
    "slack": lambda r: {"slack_url": r.url("slack", "/services/T0/B0/x")},
}


def message_text(hit: Hit) -> str:
    """The human-readable part of a robot's message, whatever its shape."""
    body = hit.json
    if hit.channel == "dingtalk":
        return str(body["markdown"]["text"])
    if hit.channel == "wecom":
        return str(body["markdown"]["content"])
    if hit.channel == "feishu":
        rows = body["content"]["post"]["zh_cn"]["content"]
        return "\n".join(el.get("text", "") for row in rows for el in row)
    return str(body["text"])


def test_webhook_posts_json_with_the_alert_id_header(receiver: Receiver, sqlite_url: str,
                                                     tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, webhook_url=receiver.url("webhook", "/in"))
    keys = queue(settings, [mention_payload(1), mention_payload(2)])
    report = deliver_pending(settings)
    assert report.failed == 0 and report.sent == 4  # file + webhook, two alerts each
    hits = receiver.for_channel("webhook")
    assert [h.alert_id for h in hits] == keys
    body = hits[0].json
    assert body["alert_id"] == keys[0]
    assert body["headline"] == "蒲县风电场并网发电" and body["stage"] == "completed"
    assert hits[0].headers["content-type"] == "application/json"
    assert "authorization" not in hits[0].headers


def test_webhook_credentials_in_the_url_become_basic_auth(receiver: Receiver, sqlite_url: str,
                                                          tmp_path: Path) -> None:
    url = receiver.url("webhook", "/in?x=1").replace("http://", "http://hook%40user:p%3Ass@")
    settings = make_settings(sqlite_url, tmp_path, webhook_url=url)
    queue(settings, [mention_payload(1)])
    assert deliver_pending(settings).failed == 0
    [hit] = receiver.for_channel("webhook")
    assert hit.path == "/webhook/in" and hit.query == {"x": ["1"]}
    assert hit.headers["authorization"] == "Basic " + base64.b64encode(b"hook@user:p:ss").decode()
    assert {r.state for r in outbox_rows(settings, "webhook")} == {"sent"}


@pytest.mark.parametrize("robot", sorted(ROBOT_SETTINGS))
def test_robot_message_says_everything(robot: str, receiver: Receiver, sqlite_url: str,
                                       tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, **ROBOT_SETTINGS[robot](receiver))
    assert robot in channel_names(settings)
    [key] = queue(settings, [mention_payload(1, from_stage="started", kind="stage_change")])
    report = deliver_pending(settings)
    assert report.failed == 0, report.errors
    [hit] = receiver.for_channel(robot)
    assert hit.alert_id == key
    text = message_text(hit)
    for fact in ("承诺1：风电项目并网", "已完成", "已开工", "蒲县风电场并网发电", "2022-09-16",
                 "博原风电场项目已全容量并网发电。"):
        assert fact in text, (fact, text)
    assert ALERT_ID.search(text) and ALERT_ID.search(text).group(1) == key  # type: ignore[union-attr]
    link = "http://www.lfxww.com/2022/1.html"
    body = hit.json
    if robot == "dingtalk":
        assert body["msgtype"] == "markdown" and body["markdown"]["title"]
        assert body["at"]["isAtAll"] is False and not body["at"]["atMobiles"]
        assert f"[原文]({link})" in text
    elif robot == "wecom":
        assert body["msgtype"] == "markdown"
        assert f"[原文]({link})" in text
    elif robot == "feishu":
        assert body["msg_type"] == "post"
        post = body["content"]["post"]["zh_cn"]
        assert post["title"]
        assert {"tag": "a", "text": "原文", "href": link} in [el for row in post["content"]
                                                              for el in row]
    else:
        assert f"<{link}|蒲县风电场并网发电>" in text
        assert body.get("mrkdwn") is True


def test_dingtalk_signature_verifies_with_the_secret(receiver: Receiver, sqlite_url: str,
                                                     tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, **ROBOT_SETTINGS["dingtalk"](receiver))
    queue(settings, [mention_payload(1)])
    assert deliver_pending(settings).failed == 0
    [hit] = receiver.for_channel("dingtalk")
    assert hit.query["access_token"] == ["tok1"]
    [timestamp], [sign] = hit.query["timestamp"], hit.query["sign"]
    assert abs(int(timestamp) - time.time() * 1000) < 60_000  # milliseconds, and recent
    # Computed here from DingTalk's documentation, independently of the code under test.
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert sign == expected  # parse_qs undid the URL-encoding the sender applied
    wrong = base64.b64encode(hmac.new(b"other", f"{timestamp}\nother".encode(),
                                      hashlib.sha256).digest()).decode()
    assert sign != wrong


def test_dingtalk_without_a_secret_is_unsigned(receiver: Receiver, sqlite_url: str,
                                               tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path,
                             dingtalk_url=receiver.url("dingtalk", "/robot/send?access_token=t"))
    queue(settings, [mention_payload(1)])
    assert deliver_pending(settings).failed == 0
    [hit] = receiver.for_channel("dingtalk")
    assert "sign" not in hit.query and "timestamp" not in hit.query


def _hostile(robot: str, receiver: Receiver, sqlite_url: str, tmp_path: Path) -> tuple[str, Any]:
    settings = make_settings(sqlite_url, tmp_path, **ROBOT_SETTINGS[robot](receiver))
    payload = mention_payload(1, headline=HOSTILE, evidence="见 [详情](http://evil/2) @所有人\n# 标题",
                              url="http://www.lfxww.com/2022/a(b)c <x>.html")
    queue(settings, [payload])
    assert deliver_pending(settings).failed == 0
    [hit] = receiver.for_channel(robot)
    return message_text(hit), hit.json


@pytest.mark.parametrize("robot", ["dingtalk", "wecom"])
def test_markdown_robots_show_a_hostile_headline_as_text(robot: str, receiver: Receiver,
                                                         sqlite_url: str, tmp_path: Path) -> None:
    text, _ = _hostile(robot, receiver, sqlite_url, tmp_path)
    assert "http://evil" in text  # the text is shown ...
    assert "点我" in text and "所有人" in text
    # ... but nothing of it is markup: the only link is ours, with its target percent-encoded.
    assert text.count("](") == 1 and text.count("[") == 1 and text.count("![") == 0
    assert "[原文](http://www.lfxww.com/2022/a%28b%29c%20%3Cx%3E.html)" in text
    assert "@" not in text and "<" not in text and ">" not in text
    assert "**粗**" not in text and "\n# " not in text and "\n#" not in text.replace("\n####", "")


def test_feishu_shows_a_hostile_headline_as_text(receiver: Receiver, sqlite_url: str,
                                                 tmp_path: Path) -> None:
    text, body = _hostile("feishu", receiver, sqlite_url, tmp_path)
    post = body["content"]["post"]["zh_cn"]
    tags = {el["tag"] for row in post["content"] for el in row}
    assert tags == {"text", "a"}  # no "at", no "img"
    links = [el for row in post["content"] for el in row if el["tag"] == "a"]
    assert [el["href"] for el in links] == ["http://www.lfxww.com/2022/a%28b%29c%20%3Cx%3E.html"]
    assert "@" not in text and "<" not in text and "@" not in post["title"]
    assert "[点我](http://evil)" in text  # Feishu text tags are not parsed: shown as written


def test_slack_escapes_its_control_characters(receiver: Receiver, sqlite_url: str,
                                              tmp_path: Path) -> None:
    text, _ = _hostile("slack", receiver, sqlite_url, tmp_path)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert text.count("<") == 1 and text.count(">") == 2  # our link, and the quote marker
    assert "<http://www.lfxww.com/2022/a%28b%29c%20%3Cx%3E.html|" in text
    assert "@" not in text and "<!" not in text


def test_site_health_alert_reaches_a_robot(receiver: Receiver, sqlite_url: str,
                                           tmp_path: Path) -> None:
    settings = make_settings(sqlite_url, tmp_path, **ROBOT_SETTINGS["wecom"](receiver))
    queue(settings, [{"kind": "site_health", "site": "lfxww", "problem": "9 天无新文章",
                      "detail": "最近一篇新文章于 2023-01-01 入库", "day": "2023-01-10"}])
    assert deliver_pending(settings).failed == 0
    [hit] = receiver.for_channel("wecom")
    text = message_text(hit)
    assert "站点异常" in text and "lfxww" in text and "9 天无新文章" in text
    assert "2023-01-10" in text and ALERT_ID.search(text)
