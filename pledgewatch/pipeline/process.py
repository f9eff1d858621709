"""raw_page -> article -> story -> mention -> stage change -> alert outbox.

Each page is processed in its own transaction, so a page that fails (a broken page, a
database that goes away) loses nothing else, and the next run picks it up again because no
article row points at it yet. Alerts are queued inside the same transaction as the mention or
stage change that causes them.

Pages are extracted first and loaded in publication order (then by URL), not in the order the
crawl happened to fetch them: which copy of a syndicated story is its primary, and the steps a
pledge's stage goes through (with their alerts), then depend on what was published when, not
on which site answered first that night.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from alerts.deliver import channel_names
from alerts.outbox import alert_key, enqueue
from pledges.places import load_gazetteer
from pledgewatch.pipeline.pledges import registry_for, sync_pledges
from pledgewatch.settings import Settings
from spiders.sites import load_sites
from transforms.dedupe import SIMHASH_RADIUS, Candidate, find_duplicate, fingerprint
from transforms.extract import ExtractedArticle, ExtractionRules, extract_article
from transforms.link import LINKER_VERSION, ArticleText, Link, Linker
from transforms.normalise import normalise_text
from transforms.urls import canonical_url
from warehouse.db import session_scope
from warehouse.facts import (
    advance_stage,
    duplicate_candidates,
    mark_duplicate,
    page_ids_to_process,
    save_article,
    save_mentions,
)
from warehouse.models import Article, RawPage

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
EXTRACTOR_VERSION = "extract-1"


@dataclass
class ProcessReport:
    pages: int = 0
    new_articles: int = 0
    duplicates: int = 0
    extraction_failures: int = 0
    new_mentions: int = 0
    stage_changes: int = 0
    alerts_queued: int = 0
    errors: list[str] = field(default_factory=list)


class Processor:
    """Holds what every page needs (linker, site rules, channels), built once per run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        registry = registry_for(settings)
        self.pledges = registry.by_id()
        self.linker = Linker(registry, load_gazetteer())
        self.rules = {name: ExtractionRules.from_mapping(site.extraction)
                      for name, site in load_sites().items()}
        self.channels = channel_names(settings)

    def extract(self, page: RawPage) -> ExtractedArticle:
        headers = {str(k).lower(): str(v) for k, v in (page.headers or {}).items()}
        return extract_article(page.body, page.final_url or page.url,
                               rules=self.rules.get(page.site),
                               content_type=headers.get("content-type"))

    def process_page(self, session: Session, page: RawPage, report: ProcessReport,
                     extracted: ExtractedArticle | None = None) -> None:
        if extracted is None:
            extracted = self.extract(page)
        if not extracted.title or not extracted.paragraphs:
            report.extraction_failures += 1
        published = _local(extracted.published)
        simplified = normalise_text(f"{extracted.title or ''}\n{extracted.body}")
        row = {
            "url": canonical_url(page.url), "site": page.site, "raw_page_id": page.id,
            "title": extracted.title, "published_at": published, "source": extracted.source,
            "author": extracted.author, "editor": extracted.editor, "body": extracted.body,
            "text_simplified": simplified, "fingerprint": fingerprint(simplified),
            "is_local": False, "extraction": dict(extracted.methods),
            "extractor_version": EXTRACTOR_VERSION,
        }
        article_id, created = save_article(session, row)
        report.new_articles += int(created)

        primary = find_duplicate(simplified, (
            Candidate(i, t, f) for i, t, f in
            duplicate_candidates(session, published, exclude_id=article_id,
                                 near=(row["fingerprint"], SIMHASH_RADIUS))))
        # The earlier-stored copy stays the story's primary; later copies point at it.
        if primary is not None and primary > article_id:
            primary = None
        mark_duplicate(session, article_id, primary)
        if primary is not None:
            report.duplicates += 1
            return

        links = self.linker.link(_article_text(article_id, page.url, extracted))
        session.get_one(Article, article_id).is_local = bool(links)
        self._load_links(session, article_id, extracted, links, report)

    def _load_links(self, session: Session, article_id: int, extracted: ExtractedArticle,
                    links: list[Link], report: ProcessReport) -> None:
        rows = [{
            "pledge_id": lk.pledge_id, "score": lk.score, "stage": lk.stage,
            "quantity_value": lk.quantity.value if lk.quantity else None,
            "quantity_unit": lk.quantity.unit if lk.quantity else None,
            "progress": lk.progress, "evidence": lk.evidence, "matched": list(lk.matched),
            "linker_version": LINKER_VERSION,
        } for lk in links if lk.pledge_id in self.pledges]
        new = save_mentions(session, article_id, rows)
        report.new_mentions += len(new)
        # The interview the pledges come from is stored and linked, but it is no news.
        quiet = {lk.pledge_id for lk in links if lk.from_source}
        published = _local(extracted.published)
        base = {"headline": extracted.title, "url": extracted.url,
                "published": published.date().isoformat() if published else None}
        for row in rows:
            if row["pledge_id"] in quiet:
                continue
            pledge = self.pledges[row["pledge_id"]]
            payload = {**base, "pledge_id": pledge.id, "pledge_title": pledge.title,
                       "stage": row["stage"], "evidence": row["evidence"]}
            if row in new:
                report.alerts_queued += enqueue(
                    session, "new_mention", alert_key("new_mention", pledge.id, article_id),
                    {**payload, "kind": "new_mention"}, self.channels, pledge.id, article_id)
            previous = advance_stage(session, pledge.id, article_id, row["stage"], published)
            if previous is not None:
                report.stage_changes += 1
                report.alerts_queued += enqueue(
                    session, "stage_change", alert_key("stage_change", pledge.id, row["stage"]),
                    {**payload, "kind": "stage_change", "from_stage": previous},
                    self.channels, pledge.id, article_id)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


def _article_text(article_id: int, url: str, extracted: ExtractedArticle) -> ArticleText:
    published = _local(extracted.published)
    return ArticleText(id=str(article_id), url=url, title=extracted.title or "",
                       body=extracted.body, published=published.date() if published else None)


def process_pages(settings: Settings, reprocess: bool = False) -> ProcessReport:
    """Extract, dedupe, link and load every raw page not yet processed (or all of them).

    Memory stays flat however many pages a run has: page ids are read a chunk at a time, and
    each extracted article waits for its turn in a temporary file, not in a list; only its
    sort key (date, URL) and its place in the file stay in memory.
    """
    sync_pledges(settings)
    processor = Processor(settings)
    report = ProcessReport()
    order: list[tuple[tuple[bool, dt.datetime, str], int, tuple[int, int]]] = []
    with tempfile.TemporaryFile(prefix="pledgewatch-extracted-") as spill:
        for page_id in _page_ids(settings.warehouse_url, reprocess):
            with _page_errors(page_id, report):
                with session_scope(settings.warehouse_url) as session:
                    page = session.get_one(RawPage, page_id)
                    article = processor.extract(page)
                    url = canonical_url(page.url)
                published = _local(article.published)
                order.append(((published is None, published or _EPOCH, url), page_id,
                              _put(spill, article)))
        order.sort(key=lambda item: (item[0], item[1]))
        for _, page_id, where in order:
            with _page_errors(page_id, report):
                article = _get(spill, where)
                with session_scope(settings.warehouse_url) as session:
                    page = session.get_one(RawPage, page_id)
                    processor.process_page(session, page, report, article)
                report.pages += 1
    return report


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=SHANGHAI)
_ID_CHUNK = 1000


def _page_ids(url: str, reprocess: bool) -> Iterator[int]:
    after = 0
    while True:
        with session_scope(url) as session:
            chunk = page_ids_to_process(session, reprocess, after_id=after, limit=_ID_CHUNK)
        if not chunk:
            return
        yield from chunk
        after = chunk[-1]


def _put(spill: IO[bytes], article: ExtractedArticle) -> tuple[int, int]:
    """Append an extracted article to the run's private temporary file: (offset, length)."""
    state = {f.name: getattr(article, f.name) for f in fields(ExtractedArticle)}
    state["methods"] = dict(article.methods)  # a read-only view does not pickle
    data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    offset = spill.seek(0, io.SEEK_END)
    spill.write(data)
    return offset, len(data)


def _get(spill: IO[bytes], where: tuple[int, int]) -> ExtractedArticle:
    offset, length = where
    spill.seek(offset)
    # Our own bytes, in an unnamed file no other process can open: safe to unpickle.
    return ExtractedArticle(**pickle.loads(spill.read(length)))


@contextmanager
def _page_errors(page_id: int, report: ProcessReport) -> Iterator[None]:
    """One page's failure is reported and leaves it for the next run; the others go on."""
    try:
        yield
    except OperationalError as exc:
        report.errors.append(f"raw_page {page_id}: database: {exc.orig}")
        log.warning("raw_page %s not processed: %s", page_id, exc.orig)
    except Exception as exc:
        report.errors.append(f"raw_page {page_id}: {exc.__class__.__name__}: {exc}")
        log.exception("raw_page %s not processed", page_id)
