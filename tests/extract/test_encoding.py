"""Bytes to text when the declared charset is missing, stale or wrong."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.extract import decode_html, extract_article
from transforms.extract.encoding import declared_charsets, normalise_charset

BODY = (
    "<p>临汾新闻网讯 3月16日，蒲县召开抽水蓄能电站项目推进会。"
    "喆、镕、堃等字不在GB2312里，GBK和GB18030里有。</p>"
)


def page(charset_meta: str | None = None, body: str = BODY) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' \
        if charset_meta else ""
    return f"<html><head>{meta}<title>蒲县新闻</title></head><body>{body}</body></html>"


GB_ONLY = page("gb2312", "<p>临汾新闻网讯 3月16日，蒲县召开抽水蓄能电站项目推进会。</p>")


def test_gb2312_with_charset_header() -> None:
    raw = GB_ONLY.encode("gb2312")
    assert decode_html(raw, "text/html; charset=gb2312") == GB_ONLY


def test_gb2312_without_header_uses_the_meta_tag() -> None:
    raw = GB_ONLY.encode("gb2312")
    assert decode_html(raw) == GB_ONLY
    assert decode_html(raw, "text/html") == GB_ONLY


def test_gb2312_without_any_declaration() -> None:
    text = page(None, "<p>临汾新闻网讯 蒲县召开会议，部署春耕生产工作。</p>")
    assert decode_html(text.encode("gb2312")) == text


def test_gb_bytes_under_a_wrong_utf8_declaration() -> None:
    raw = GB_ONLY.encode("gb2312")
    assert decode_html(raw, "text/html; charset=utf-8") == GB_ONLY
    wrong_meta = page("utf-8", "<p>临汾新闻网讯 蒲县召开会议。</p>")
    assert decode_html(wrong_meta.encode("gb18030")) == wrong_meta


def test_gbk_characters_outside_gb2312_survive() -> None:
    text = page("gb2312")  # declared gb2312, but written by a GBK-era editor
    raw = text.encode("gbk")
    decoded = decode_html(raw, "text/html; charset=GB2312")
    assert "喆" in decoded and "镕" in decoded and "\ufffd" not in decoded


def test_utf8_bytes_under_a_stale_gb2312_declaration() -> None:
    text = page("gb2312")
    assert decode_html(text.encode("utf-8")) == text
    assert decode_html(text.encode("utf-8"), "text/html; charset=gbk") == text


def test_html5_meta_charset_and_xml_declaration() -> None:
    text = '<!DOCTYPE html><html><head><meta charset="GBK"><title>蒲县</title></head></html>'
    assert decode_html(text.encode("gbk")) == text
    xml = '<?xml version="1.0" encoding="gb2312"?><html><body>蒲县人民政府</body></html>'
    assert decode_html(xml.encode("gb2312")) == xml


@pytest.mark.parametrize(("bom", "codec"), [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
])
def test_byte_order_mark_wins(bom: bytes, codec: str) -> None:
    text = page("gb2312")
    assert decode_html(bom + text.encode(codec), "text/html; charset=gb2312") == text


def test_iso_8859_1_label_over_gb_bytes() -> None:
    text = page("iso-8859-1", "<p>临汾新闻网讯 蒲县召开会议，部署森林防火工作。</p>")
    assert decode_html(text.encode("gb2312")) == text


def test_truncated_multibyte_character_at_the_end() -> None:
    raw = GB_ONLY.encode("gb2312") + "蒲".encode("gb2312")[:1]
    assert decode_html(raw).startswith(GB_ONLY)
    raw = GB_ONLY.encode("utf-8") + "蒲".encode()[:2]
    assert decode_html(raw, "text/html; charset=utf-8").startswith(GB_ONLY)


def test_broken_bytes_are_replaced_not_raised() -> None:
    raw = GB_ONLY.encode("gb2312")
    broken = raw[:60] + b"\xff\xff\x81" + raw[60:]
    decoded = decode_html(broken, "text/html; charset=gb2312")
    assert "蒲县召开抽水蓄能电站项目推进会" in decoded


def test_labels() -> None:
    assert normalise_charset("GB2312") == "gb18030"
    assert normalise_charset("x-gbk") == "gb18030"
    assert normalise_charset("UTF8") == "utf-8"
    assert normalise_charset("no-such-charset") is None
    assert declared_charsets(b'<meta charset="gbk">', 'text/html; charset="UTF-8"') == [
        "utf-8", "gb18030"]


def test_extract_article_decodes_bytes_with_the_header() -> None:
    html = page(None, "<div><p>临汾新闻网讯 3月16日，蒲县召开抽水蓄能电站项目推进会，安排部署"
                      "前期工作。会议要求，各部门要倒排工期、挂图作战。</p></div>")
    article = extract_article(html.encode("gb2312"), "http://www.lfxww.com/puxian/1.html",
                              content_type="text/html; charset=gb2312")
    assert "抽水蓄能电站" in article.body


@given(st.binary(max_size=2000), st.sampled_from([None, "text/html", "text/html; charset=utf-8",
                                                   "text/html; charset=gb2312", "charset=bogus",
                                                   "text/html; charset=utf-16"]))
@settings(max_examples=300, deadline=None)
def test_never_raises(raw: bytes, content_type: str | None) -> None:
    assert isinstance(decode_html(raw, content_type), str)
