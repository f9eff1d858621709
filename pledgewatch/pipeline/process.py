"""raw_page -> article -> story -> mention -> stage change -> alert outbox.

Each article is processed in its own transaction, so one that fails (a broken page, a
database that goes away) loses nothing else, and the next run picks its pages up again because
no ``article_page`` row names them yet. Alerts are queued inside the same transaction as the
mention or stage change that causes them.

An article is every page of a story: a later page (``content_123_2.htm``, as the site's
declared continuation rule names it) joins page 1's article, keyed by page 1's canonical URL,
with the pages' bodies in page order (``transforms.multipage``). Pages arrive in any order and
on any night: whenever one of an article's pages is new, the article is rebuilt from all its
stored pages, so its text grows, it is deduplicated and linked again as a whole, its mentions
are upserted and only a pledge it newly reports is alerted. A later page stored before its
page 1 makes the article at page 1's URL from what there is (title and date from that page);
page 1 completes it when it comes. The end state depends on which pages are stored, not on
the nights they came.

Pages are extracted first and articles loaded in publication order (then by URL), not in the
order the crawl happened to fetch them: which copy of a syndicated story is its primary, and
the steps a pledge's stage goes through (with their alerts), then depend on what was published
when, not on which site answered first that night.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import pickle
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
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
from transforms.multipage import join_pages
from transforms.normalise import normalise_text
from transforms.urls import canonical_url
from warehouse.db import session_scope
from warehouse.facts import (
    advance_stage,
    article_pages,
    drop_article,
    duplicate_candidates,
    mark_duplicate,
    page_ids_to_process,
    save_article,
    save_article_pages,
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


@dataclass(frozen=True)
class Part:
    """One page of an article as a run holds it: its extraction waits in the spill file."""

    page_no: int
    raw_page_id: int
    url: str  # the page's own URL (``raw_page.url``)
    site: str
    where: tuple[int, int]  # (offset, length) of its extraction in the spill file
    fresh: bool = True  # selected for processing this run (else read back as stored before)


def chosen_parts(parts: list[Part]) -> dict[int, Part]:
    """The part each page number is read from: the newest fetch when one page was stored
    under two spellings of its URL (every one is still recorded as part of the article)."""
    chosen: dict[int, Part] = {}
    for part in sorted(parts, key=lambda p: (p.page_no, p.raw_page_id)):
        chosen[part.page_no] = part
    return dict(sorted(chosen.items()))


class Processor:
    """Holds what every page needs (linker, site rules, channels), built once per run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        registry = registry_for(settings)
        self.pledges = registry.by_id()
        self.linker = Linker(registry, load_gazetteer())
        self.sites = load_sites()
        self.rules = {name: ExtractionRules.from_mapping(site.extraction)
                      for name, site in self.sites.items()}
        self.channels = channel_names(settings)

    def extract(self, page: RawPage) -> ExtractedArticle:
        headers = {str(k).lower(): str(v) for k, v in (page.headers or {}).items()}
        return extract_article(page.body, page.final_url or page.url,
                               rules=self.rules.get(page.site),
                               content_type=headers.get("content-type"))

    def place(self, site: str, url: str) -> tuple[str, int]:
        """(the article's URL, the page's number) for a page: page 1's canonical URL keys
        the article, by the site's declared continuation rule."""
        declaration = self.sites.get(site)
        first, number = declaration.page_of(url) if declaration else (url, 1)
        return canonical_url(first), number

    def stored_parts(self, session: Session, key: str, parts: list[Part],
                     spill: IO[bytes]) -> list[Part]:
        """The pages of the article at ``key`` stored (and processed) before, which this
        run's ``parts`` do not replace, extracted again from their raw pages."""
        have = {part.url for part in parts}
        found = []
        for raw_page_id, url, site in article_pages(session, key):
            if url in have:
                continue  # this run holds a newer fetch of that page
            article, number = self.place(site, url)
            if article != key:
                continue  # the declarations no longer count it a page of this article
            page = session.get_one(RawPage, raw_page_id)
            found.append(Part(number, raw_page_id, url, site, _put(spill, self.extract(page)),
                              fresh=False))
        return found

    def join(self, key: str, parts: list[Part], spill: IO[bytes]) -> ExtractedArticle:
        """The article the parts make, in page order."""
        chosen = chosen_parts(parts)
        if len(chosen) == 1 and 1 in chosen:
            return _get(spill, chosen[1].where)  # a one-page article, exactly as extracted
        pages = [(number, _get(spill, part.where)) for number, part in chosen.items()]
        return join_pages(pages, url=None if 1 in chosen else key)

    def process_article(self, session: Session, key: str, parts: list[Part],
                        extracted: ExtractedArticle, report: ProcessReport) -> None:
        """Load one article (``extracted``, its pages joined) under ``key`` and record its
        pages; then dedupe and link it as a whole. Upserts throughout: rebuilding an article
        because a page came later updates the same row and mentions, and alerts only what
        is new."""
        chosen = chosen_parts(parts)
        first = next(iter(chosen.values()))
        for part in parts:
            # A later page made an article of its own before multi-page stories were joined.
            if part.page_no > 1 and drop_article(session, canonical_url(part.url)):
                log.info("article %s folded into %s", canonical_url(part.url), key)
        if not extracted.title or not extracted.paragraphs:
            report.extraction_failures += 1
        published = _local(extracted.published)
        simplified = normalise_text(f"{extracted.title or ''}\n{extracted.body}")
        row = {
            "url": key, "site": first.site, "raw_page_id": first.raw_page_id,
            "title": extracted.title, "published_at": published, "source": extracted.source,
            "author": extracted.author, "editor": extracted.editor, "body": extracted.body,
            "text_simplified": simplified, "fingerprint": fingerprint(simplified),
            "is_local": False, "extraction": dict(extracted.methods),
            "extractor_version": EXTRACTOR_VERSION,
        }
        article_id, created = save_article(session, row)
        save_article_pages(session, article_id, {p.raw_page_id: p.page_no for p in parts})
        report.new_articles += int(created)

        primary = find_duplicate(simplified, (
            Candidate(i, t, f) for i, t, f in
            duplicate_candidates(session, published, exclude_id=article_id,
                                 near=(row["fingerprint"], SIMHASH_RADIUS))),
            mine=row["fingerprint"])
        # The earlier-stored copy stays the story's primary; later copies point at it.
        if primary is not None and primary > article_id:
            primary = None
        mark_duplicate(session, article_id, primary)
        if primary is not None:
            report.duplicates += 1
            return

        # Page 1's own URL, as fetched, when it is stored (its channel places the story).
        link_url = first.url if first.page_no == 1 else key
        links = self.linker.link(_article_text(article_id, link_url, extracted))
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

    Memory stays flat however many pages a run has: page ids are read a chunk at a time, each
    extracted page and joined article waits for its turn in a temporary file, and which pages
    make which article and in what order articles load are kept in a private on-disk index
    (`_Ledger`), not in lists: a run of 50,000 pages holds no more than a run of 5,000.
    """
    sync_pledges(settings)
    processor = Processor(settings)
    report = ProcessReport()
    db = settings.warehouse_url
    with tempfile.TemporaryFile(prefix="pledgewatch-extracted-") as spill, _Ledger() as ledger:
        # 1. Extract each page to process and place it in its article.
        for page_id in _page_ids(db, reprocess):
            with _page_errors([page_id], report):
                with session_scope(db) as session:
                    page = session.get_one(RawPage, page_id)
                    extracted = processor.extract(page)
                    key, number = processor.place(page.site, page.url)
                    part = Part(number, page.id, page.url, page.site, _put(spill, extracted))
                ledger.add_part(key, part)
        # 2. Complete each article with its pages stored before; join them.
        for key in ledger.article_keys():
            parts = ledger.parts(key)
            with _page_errors([p.raw_page_id for p in parts], report):
                with session_scope(db) as session:
                    stored = processor.stored_parts(session, key, parts, spill)
                parts = [*parts, *stored]
                article = processor.join(key, parts, spill)
                for part in stored:
                    ledger.add_part(key, part)
                ledger.add_article(key, _local(article.published), _put(spill, article))
        # 3. Load them in publication order.
        for key, where in ledger.in_publication_order():
            parts = ledger.parts(key)
            fresh = [p.raw_page_id for p in parts if p.fresh]
            with _page_errors(fresh, report):
                article = _get(spill, where)
                with session_scope(db) as session:
                    processor.process_article(session, key, parts, article, report)
                report.pages += len(fresh)
    return report


class _Ledger:
    """A run's index of pages by article and of articles by publication time, on disk.

    SQLite in a private temporary file (deleted on exit): grouping and sorting tens of
    thousands of entries without holding them, and its page cache is all it keeps in memory.
    """

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="pledgewatch-ledger-")
        self._db = sqlite3.connect(Path(self._dir.name) / "ledger.sqlite")
        self._db.executescript("""
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE part (key TEXT, page_no INT, raw_page_id INT, url TEXT, site TEXT,
                               offset INT, length INT, fresh INT);
            CREATE INDEX part_key ON part (key);
            CREATE TABLE article (key TEXT PRIMARY KEY, undated INT, published REAL,
                                  offset INT, length INT);
        """)

    def __enter__(self) -> _Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self._db.close()
        self._dir.cleanup()

    def add_part(self, key: str, part: Part) -> None:
        self._db.execute("INSERT INTO part VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (key, part.page_no, part.raw_page_id, part.url, part.site,
                          *part.where, int(part.fresh)))

    def article_keys(self) -> Iterator[str]:
        """Each article's key once, in the order its first page was added (the grouping is
        complete before the first key comes, so adding parts meanwhile is safe)."""
        for (key,) in self._db.execute("SELECT key FROM part GROUP BY key ORDER BY min(rowid)"):
            yield key

    def parts(self, key: str) -> list[Part]:
        rows = self._db.execute("SELECT page_no, raw_page_id, url, site, offset, length, fresh "
                                "FROM part WHERE key = ? ORDER BY rowid", (key,))
        return [Part(no, page_id, url, site, (offset, length), bool(fresh))
                for no, page_id, url, site, offset, length, fresh in rows]

    def add_article(self, key: str, published: dt.datetime | None,
                    where: tuple[int, int]) -> None:
        self._db.execute("INSERT OR REPLACE INTO article VALUES (?, ?, ?, ?, ?)",
                         (key, int(published is None),
                          published.timestamp() if published else 0.0, *where))

    def in_publication_order(self) -> Iterator[tuple[str, tuple[int, int]]]:
        """(key, spill place) of each joined article: dated ones by time, then undated; ties
        by key, so the order never depends on the order pages were fetched."""
        for key, offset, length in self._db.execute(
                "SELECT key, offset, length FROM article ORDER BY undated, published, key"):
            yield key, (offset, length)


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
def _page_errors(page_ids: list[int], report: ProcessReport) -> Iterator[None]:
    """One page's (or article's) failure is reported and leaves its pages for the next run;
    the others go on."""
    pages = ", ".join(map(str, page_ids))
    try:
        yield
    except OperationalError as exc:
        report.errors.append(f"raw_page {pages}: database: {exc.orig}")
        log.warning("raw_page %s not processed: %s", pages, exc.orig)
    except Exception as exc:
        report.errors.append(f"raw_page {pages}: {exc.__class__.__name__}: {exc}")
        log.exception("raw_page %s not processed", pages)
