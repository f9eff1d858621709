"""Site declarations: all five load, and a bad one is refused naming the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from spiders.sites import SITES_DIR, SiteDeclarationError, load_site, load_sites

SITES = {"lfxww", "puxian_gov", "linfen_gov", "sxgov_lf", "sxrb_lf"}


def test_every_site_is_declared_and_valid() -> None:
    sites = load_sites()
    assert set(sites) == SITES
    for site in sites.values():
        assert site.politeness.concurrency <= 2
        assert site.extraction_rules() is not None
        for page in site.list_pages:
            assert site.article_pattern.pattern
            assert (page.url.split("/")[2]) in site.domains


def test_county_channels_and_search() -> None:
    sites = load_sites()
    assert sites["lfxww"].county_list_urls() == {"http://www.lfxww.com/puxian/"}
    assert sites["lfxww"].is_county_article("http://www.lfxww.com/puxian/2688412.html")
    assert not sites["lfxww"].is_county_article("http://www.lfxww.com/linfen/qyxw/2696120.html")
    assert sites["puxian_gov"].is_county_article(
        "http://www.puxian.gov.cn/xwzx/pxyw/202203/t20220315_14102.html")
    search = sites["linfen_gov"].search
    assert search is not None and search.body["orderBy"] and search.body["searchBy"]
    assert sites["puxian_gov"].discovery is not None


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_field_names_file_and_field(tmp_path: Path) -> None:
    original = (SITES_DIR / "sxrb_lf.yaml").read_text(encoding="utf-8")
    _write(tmp_path, "sxrb_lf", original.replace("concurrency: 1", "concurrency: 3"))
    with pytest.raises(SiteDeclarationError) as info:
        load_sites(tmp_path)
    message = str(info.value)
    assert "sxrb_lf.yaml" in message and "politeness.concurrency" in message


def test_bad_selector_and_name_mismatch(tmp_path: Path) -> None:
    original = (SITES_DIR / "sxrb_lf.yaml").read_text(encoding="utf-8")
    _write(tmp_path, "sxrb_lf", original.replace("title: ['div.article h1', 'h1']",
                                                   "title: ['div..bad[']"))
    with pytest.raises(SiteDeclarationError, match=r"sxrb_lf\.yaml.*extraction"):
        load_sites(tmp_path)
    (tmp_path / "sxrb_lf.yaml").unlink()
    _write(tmp_path, "other", original)
    with pytest.raises(SiteDeclarationError, match="must match the file name"):
        load_sites(tmp_path)


def test_offsite_start_page_is_refused(tmp_path: Path) -> None:
    original = (SITES_DIR / "sxrb_lf.yaml").read_text(encoding="utf-8")
    _write(tmp_path, "sxrb_lf", original.replace("url: 'https://lf.sxrb.com/'",
                                                   "url: 'https://www.example.org/'"))
    with pytest.raises(SiteDeclarationError, match="not on one of the site's domains"):
        load_sites(tmp_path)


def test_unknown_site() -> None:
    with pytest.raises(SiteDeclarationError, match="unknown site 'nope'"):
        load_site("nope")
