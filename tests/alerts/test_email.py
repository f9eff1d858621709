"""The e-mail digest through a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

from alerts.channels import EmailChannel
from alerts.deliver import deliver_pending
from tests.alerts.conftest import SmtpServer, make_settings, mention_payload, outbox_rows, queue

SCRIPT = "<script>alert(1)</script>"


def test_digest_has_plain_and_html_parts_with_the_headline_escaped(
        smtp_server: SmtpServer, sqlite_url: str, tmp_path: Path) -> None:
    smtp_server.start()
    settings = make_settings(sqlite_url, tmp_path, smtp_url=smtp_server.url,
                             alert_email_to="a@example.org, b@example.org",
                             alert_email_from="pledgewatch@example.org")
    keys = queue(settings, [mention_payload(1, headline=f"蒲县新闻{SCRIPT}"),
                            mention_payload(2, url="http://x/?a=1&b=\"2\"")])
    report = deliver_pending(settings)
    assert report.failed == 0 and report.sent == 4
    assert {r.state for r in outbox_rows(settings, "email")} == {"sent"}

    [message] = smtp_server.mailbox.messages
    [(sender, recipients)] = smtp_server.mailbox.envelopes
    assert sender == "pledgewatch@example.org"
    assert recipients == ["a@example.org", "b@example.org"]
    assert message["Subject"] == "pledgewatch: 2 条新进展"
    ids = [k.strip() for k in str(message["X-Pledgewatch-Alert-Ids"]).split(",")]
    assert ids == keys
    assert message.is_multipart() and message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    text, markup = plain.get_content(), html.get_content()
    for part in (text, markup):
        assert "承诺1：风电项目并网" in part and "已完成" in part and "2022-09-16" in part
        assert "博原风电场项目已全容量并网发电。" in part
    assert f"蒲县新闻{SCRIPT}" in text  # plain text is shown as written
    assert "<script" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert 'href="http://x/?a=1&amp;b=&quot;2&quot;"' in markup  # attribute cannot be broken


def test_message_id_depends_only_on_the_alerts(smtp_server: SmtpServer, sqlite_url: str,
                                               tmp_path: Path) -> None:
    smtp_server.start()
    settings = make_settings(sqlite_url, tmp_path)
    queue(settings, [mention_payload(1), mention_payload(2), mention_payload(3)])
    rows = outbox_rows(settings, "file")
    channel = EmailChannel(smtp_server.url, "pw@example.org", "a@example.org", timeout=1)
    channel.send(rows[:2])
    channel.send(list(reversed(rows[:2])))  # a re-send, in whatever order
    channel.send(rows)
    first, again, other = smtp_server.mailbox.messages
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"] != other["Message-ID"]
    assert first["Message-ID"].startswith("<") and first["Message-ID"].endswith("@pledgewatch>")
