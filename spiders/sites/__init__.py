"""Site declarations: one YAML file per news site, checked by a schema before any crawl.

A site is data, not code (the Fundus idea): adding or correcting a site is an edit to
``spiders/sites/<name>.yaml``. Facts that ``docs/sites.md`` marks as medium or low confidence
carry a generic fallback in the spider, so a wrong guess here degrades the crawl loudly
(counted in the per-site stats) instead of silently returning nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

SITES_DIR = Path(__file__).parent
SLUG = re.compile(r"^[a-z][a-z0-9_]*$")

#: TRS WCM pager call; groups: total pages, current (0-based), file prefix, extension.
TRS_PAGER_REGEX = r'create(?:Page|PageHTML)\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*"(\w+)"\s*,\s*"(\w+)"'

#: Dates in article URLs, tried in order: TRS ``tYYYYMMDD_``, ``/YYYY-MM/DD/``, ``/YYYYMM/DD/``.
DEFAULT_URL_DATE_PATTERNS = (
    r"/t(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})_\d+",
    r"/(?P<y>\d{4})-(?P<m>\d{2})/(?P<d>\d{2})/",
    r"/(?P<y>\d{4})(?P<m>\d{2})/(?P<d>\d{2})/",
)

#: A later page of a multi-page article: the first page's URL with ``_N`` before the extension
#: (lf.sxgov.cn: ``content_123_2.htm`` is page 2 of ``content_123.htm``). Page numbers are short
#: (one to three digits); an id before them is long, so ``content_12841562.htm`` is no page 12.
DEFAULT_CONTINUATION_REGEX = r"^(?P<first>.+)_(?P<page>\d{1,3})(?P<ext>\.s?html?)$"

#: A date printed beside a link in a list (``2022-05-12``, ``2022/05/12``, ``2022年5月12日``).
DEFAULT_LIST_DATE_REGEX = (
    r"(?P<y>20\d{2}|19\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})"
)


class SiteDeclarationError(ValueError):
    """A declaration that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_regex(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value


Regex = Annotated[str, Field(min_length=1)]
Url = Annotated[str, Field(min_length=8)]


class Pagination(_Strict):
    """How a list continues on its next pages.

    ``index_n``: ``index.html`` then ``index_1.html``, ``index_2.html``...; whether
    ``index_1`` is page 2 (TRS convention) or a second copy of page 1 is ``index_1_is_page``
    (``None``: unknown, the spider follows ``index_1`` on and drops repeated pages).
    ``trs``: the ``createPageHTML(total, current, "index", "html")`` script says how many pages
    there are; ``chan_n``: ``{chan}.html`` then ``{chan}_2.html``..., with an ``N / M`` pager
    text; ``none``: a single page.
    """

    style: Literal["index_n", "trs", "chan_n", "none"] = "none"
    index_1_is_page: Literal[1, 2] | None = None
    trs_regex: Regex = TRS_PAGER_REGEX
    pager_text_selector: str | None = None  # e.g. "div.page p" holding "1 / 12"
    next_link_texts: tuple[str, ...] = ("下一页", "下页", "后页", ">")
    # With no pager seen on the page, still try the next numbered page (a 404 ends the list).
    blind_next: bool = True

    @field_validator("trs_regex")
    @classmethod
    def _regex(cls, value: str) -> str:
        return _check_regex(value)


class ListPage(_Strict):
    url: Url
    label: str = ""
    is_county_channel: bool = False
    pagination: Pagination | None = None  # overrides the site's rule for this list
    link_selectors: tuple[str, ...] | None = None  # overrides the site's selectors
    # Take every same-site link matching the article regex as well as the selectors' (for
    # homepages and lists whose template has not been seen).
    generic_links: bool = False

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _check_url(value)


class Politeness(_Strict):
    delay: Annotated[float, Field(ge=0, le=120)] = 2.0
    concurrency: Annotated[int, Field(ge=1, le=2)] = 1
    autothrottle: bool = True


class DateRules(_Strict):
    url_patterns: tuple[Regex, ...] = DEFAULT_URL_DATE_PATTERNS
    # A URL date may be the CMS's file date rather than the publication date (seen on
    # puxian.gov.cn: URL 2022-08-09, page 2022-02-15): widen the window by this much.
    url_date_slack_days: Annotated[int, Field(ge=0, le=3650)] = 0
    list_date_regex: Regex = DEFAULT_LIST_DATE_REGEX
    # Sites whose numeric article ids rise with time: id -> date anchors, interpolated to
    # guess how old an undated link is; widened by id_date_slack_days, so only links far
    # outside the window are skipped (and paging stops there).
    id_regex: Regex | None = None
    id_date_anchors: dict[int, dt.date] = Field(default_factory=dict)
    id_date_slack_days: Annotated[int, Field(ge=0, le=3650)] = 120

    @field_validator("url_patterns")
    @classmethod
    def _patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            _check_regex(pattern)
            if not {"y", "m", "d"} <= set(re.compile(pattern).groupindex):
                raise ValueError(f"pattern {pattern!r} needs named groups y, m and d")
        return value

    @model_validator(mode="after")
    def _ids(self) -> DateRules:
        if self.id_date_anchors and not self.id_regex:
            raise ValueError("id_date_anchors need an id_regex with one group")
        if self.id_regex:
            _check_regex(self.id_regex)
        return self


class Continuation(_Strict):
    """How the later pages of a multi-page article are named after its first page.

    The crawl follows them from page 1 (``spiders.spider.continuation_urls``) and processing
    joins them into page 1's article (``SiteDeclaration.page_of``): both read this one rule, so
    what the crawl fetches as "page 2" is exactly what processing folds in.

    ``regex`` matches a later page's URL; its named groups give the first page's URL
    (``first`` followed by ``ext``) and the number in the URL (``page``). ``second_page`` is
    the number the second page carries: 2 for ``content_123_2.htm``; TRS's
    ``createPageHTML`` counts from ``_1``. ``regex: null`` declares that the site never
    splits an article.
    """

    regex: Regex | None = DEFAULT_CONTINUATION_REGEX
    second_page: Literal[1, 2] = 2

    @field_validator("regex")
    @classmethod
    def _groups(cls, value: str | None) -> str | None:
        if value is None:
            return value
        _check_regex(value)
        if not {"first", "page", "ext"} <= set(re.compile(value).groupindex):
            raise ValueError(f"pattern {value!r} needs named groups first, page and ext")
        return value

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        return re.compile(self.regex) if self.regex else None

    def split(self, url: str) -> tuple[str, int]:
        """(first page's URL, page number) of ``url`` by the URL alone; ``(url, 1)`` for a
        page that is no later page. ``SiteDeclaration.page_of`` adds the site's checks."""
        match = self.pattern.match(url) if self.pattern else None
        if match is None:
            return url, 1
        number = int(match["page"]) - self.second_page + 2
        if number < 2:  # ``_1`` where pages count from 2: page 1 spelled out, or no page
            return url, 1
        return match["first"] + match["ext"], number


class Discovery(_Strict):
    """Find a column from the homepage navigation (its path is also kept in ``list_pages``)."""

    page: Url
    selectors: tuple[str, ...] = ("a",)
    link_texts: tuple[str, ...]
    is_county_channel: bool = True


class SearchBlock(_Strict):
    """A site-search API queried with each pledge's key names (TRS IRS on linfen.gov.cn)."""

    endpoint: Url
    method: Literal["POST", "GET"] = "POST"
    body: dict[str, Any]
    keyword_field: str = "searchWord"
    page_field: str = "pageNo"
    query_template: str = "{alias}"
    aliases_per_pledge: Annotated[int, Field(ge=1, le=2)] = 1
    extra_keywords: tuple[str, ...] = ()
    max_pages: Annotated[int, Field(ge=1, le=20)] = 1
    results_path: tuple[str, ...] = ("data", "middle", "listAndBox")
    item_path: tuple[str, ...] = ("data",)
    url_field: str = "url"
    title_field: str = "title_no_tag"
    time_field: str = "time"
    pager_path: tuple[str, ...] = ("data", "pager")
    page_count_field: str = "pageCount"

    @field_validator("query_template")
    @classmethod
    def _template(cls, value: str) -> str:
        if "{alias}" not in value:
            raise ValueError("query_template must contain {alias}")
        return value


class SiteDeclaration(_Strict):
    name: str
    label: str
    homepage: Url
    domains: Annotated[tuple[str, ...], Field(min_length=1)]
    list_pages: Annotated[tuple[ListPage, ...], Field(min_length=1)]
    article_url_regex: Regex
    list_link_selectors: tuple[str, ...] = ()
    pagination: Pagination = Pagination()
    max_list_pages: Annotated[int, Field(ge=1, le=200)] = 5
    politeness: Politeness = Politeness()
    extraction: dict[str, Any] = Field(default_factory=dict)
    date_rules: DateRules = DateRules()
    continuation: Continuation = Continuation()
    search: SearchBlock | None = None
    discovery: Discovery | None = None
    confidence: dict[str, Literal["high", "medium", "low"]] = Field(default_factory=dict)
    notes: str = ""

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"name {value!r} must be a slug like 'puxian_gov'")
        return value

    @field_validator("article_url_regex")
    @classmethod
    def _article_regex(cls, value: str) -> str:
        return _check_regex(value)

    @field_validator("homepage")
    @classmethod
    def _homepage(cls, value: str) -> str:
        return _check_url(value)

    @field_validator("extraction")
    @classmethod
    def _extraction(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key, selectors in value.items():
            if isinstance(selectors, str):
                continue
            if not isinstance(selectors, list | tuple) or not all(
                isinstance(s, str) for s in selectors
            ):
                raise ValueError(f"extraction.{key} must be a CSS selector or a list of them")
        rules_cls = _extraction_rules_class()
        if rules_cls is not None:
            try:
                rules_cls.from_mapping(value)
            except (TypeError, ValueError, KeyError) as exc:
                raise ValueError(f"rejected by ExtractionRules.from_mapping: {exc}") from None
        return value

    @model_validator(mode="after")
    def _urls_on_site(self) -> SiteDeclaration:
        urls = [self.homepage, *(page.url for page in self.list_pages)]
        if self.discovery:
            urls.append(self.discovery.page)
        if self.search:
            urls.append(self.search.endpoint)
        for url in urls:
            host = urlsplit(url).hostname or ""
            if host not in self.domains:
                raise ValueError(f"{url} is not on one of the site's domains {self.domains}")
        return self

    # -- derived ---------------------------------------------------------------------------

    @cached_property
    def article_pattern(self) -> re.Pattern[str]:
        return re.compile(self.article_url_regex)

    def page_of(self, url: str) -> tuple[str, int]:
        """Which article a page belongs to: (its first page's URL, its page number).

        A later page is one the continuation rule names whose first page is also an article
        URL of this site: the rule alone would read a TRS article with a short id
        (``t20220809_582.html``) as page 582 of ``t20220809.html``, which is no article.
        Any other page is its own first page: ``(url, 1)``.
        """
        first, number = self.continuation.split(url)
        if number == 1 or not self.article_pattern.match(first):
            return url, 1
        return first, number

    def pagination_for(self, page: ListPage) -> Pagination:
        return page.pagination or self.pagination

    def selectors_for(self, page: ListPage) -> tuple[str, ...]:
        return page.link_selectors if page.link_selectors is not None else self.list_link_selectors

    def county_list_urls(self) -> set[str]:
        return {page.url for page in self.list_pages if page.is_county_channel}

    def is_county_article(self, url: str) -> bool:
        """Whether an article URL lies under one of the site's Pu County channels.

        The raw layer keeps pages exactly as fetched, so the "came from a county channel" fact
        is re-derived from the URL: an article under ``/puxian/`` on lfxww, or anywhere under a
        county channel's folder (puxian.gov.cn's TRS columns keep articles below the list).
        """
        parts = urlsplit(url)
        for page in self.list_pages:
            if not page.is_county_channel:
                continue
            base = urlsplit(page.url)
            folder = base.path if base.path.endswith("/") else base.path.rsplit("/", 1)[0] + "/"
            if parts.hostname == base.hostname and parts.path.startswith(folder):
                return True
        return False

    def extraction_rules(self) -> Any:
        """The site's ``ExtractionRules`` (None when the extractor is not installed)."""
        rules_cls = _extraction_rules_class()
        return rules_cls.from_mapping(self.extraction) if rules_cls and self.extraction else None


def _extraction_rules_class() -> Any:
    try:
        from transforms.extract.rules import ExtractionRules
    except ImportError:  # the extractor is optional for the crawl itself
        return None
    return ExtractionRules


def _describe(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(file)"
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"field {where}: {message}"


def parse_site(text: str, source: str = "<site>", expected_name: str | None = None
               ) -> SiteDeclaration:
    """Validate one declaration; errors name ``source`` and the offending field."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SiteDeclarationError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SiteDeclarationError(f"{source}: expected a mapping of fields")
    try:
        site = SiteDeclaration.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(_describe(err) for err in exc.errors())
        raise SiteDeclarationError(f"{source}: {problems}") from None
    if expected_name is not None and site.name != expected_name:
        raise SiteDeclarationError(
            f"{source}: field name: {site.name!r} must match the file name {expected_name!r}"
        )
    return site


def load_sites(directory: Path | str | None = None) -> dict[str, SiteDeclaration]:
    """Every declaration in ``directory`` (the packaged ``spiders/sites`` by default)."""
    root = Path(directory) if directory else SITES_DIR
    sites: dict[str, SiteDeclaration] = {}
    for path in sorted(root.glob("*.yaml")):
        sites[path.stem] = parse_site(path.read_text(encoding="utf-8"), str(path), path.stem)
    if not sites:
        raise SiteDeclarationError(f"{root}: no site declarations (*.yaml) found")
    return sites


def load_site(name: str, directory: Path | str | None = None) -> SiteDeclaration:
    root = Path(directory) if directory else SITES_DIR
    path = root / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in root.glob("*.yaml")))
        raise SiteDeclarationError(f"unknown site {name!r}; declared sites: {known}")
    return parse_site(path.read_text(encoding="utf-8"), str(path), name)


__all__ = [
    "Continuation",
    "DateRules",
    "Discovery",
    "ListPage",
    "Pagination",
    "Politeness",
    "SearchBlock",
    "SiteDeclaration",
    "SiteDeclarationError",
    "load_site",
    "load_sites",
    "parse_site",
]
