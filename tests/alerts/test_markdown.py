"""Escaping and link rules for robot messages, without a network."""

from __future__ import annotations

from alerts import markdown
from alerts.robots import dingtalk_signed_url
from tests.alerts.conftest import HOSTILE, mention_payload


def test_escape_markdown_leaves_no_syntax_and_one_line() -> None:
    text = markdown.escape_markdown(HOSTILE + "\n> quote\n- item `code` ~x~ | a \\ &amp;")
    assert "\n" not in text
    assert not set(text) & set("[]()*_`#>!<~|\\&@")
    assert "点我" in text and "http://evil" in text


def test_slack_escapes_three_characters_and_mentions() -> None:
    assert markdown.escape_slack("a & <b> @here <!channel>") == (
        "a &amp; &lt;b&gt; ＠here &lt;!channel&gt;")


def test_clip_cuts_long_text() -> None:
    assert markdown.clip("字" * 500, 10) == "字" * 9 + "…"
    assert markdown.clip(None) == ""


def test_only_http_links_are_made_links() -> None:
    assert markdown.safe_url("javascript:alert(1)") is None
    assert markdown.safe_url("data:text/html,x") is None
    assert markdown.safe_url("http://a/b c)") == "http://a/b%20c%29"
    assert markdown.safe_url("https://a/%E8%92%B2?x=1&y=2#f") == "https://a/%E8%92%B2?x=1&y=2#f"
    facts = markdown.facts("k" * 32, mention_payload(1, url="javascript:alert(1)"))
    assert facts.url is None
    assert "javascript" not in markdown.markdown(facts)
    assert "链接：无" in str(markdown.feishu_post(facts))


def test_dingtalk_signature_is_appended_to_any_url() -> None:
    with_query = dingtalk_signed_url("http://h/robot/send?access_token=t", "s", 1700000000000)
    assert with_query.startswith("http://h/robot/send?access_token=t&timestamp=1700000000000&sign=")
    bare = dingtalk_signed_url("http://h/robot/send", "s", 1)
    assert bare.startswith("http://h/robot/send?timestamp=1&sign=")
    assert "+" not in with_query.split("sign=")[1] and "/" not in with_query.split("sign=")[1]
