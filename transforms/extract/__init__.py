"""Article extraction: one fetched page (bytes or text) in, one `ExtractedArticle` out.

Each field comes from the site's declared selectors when they match, else from `<meta>` tags,
else from generic guesses (document title, text density, dates near the headline, the URL), and
`ExtractedArticle.methods` records which.
"""

from .article import ExtractedArticle, extract_article
from .dates import date_from_url, parse_chinese_datetime
from .encoding import decode_html
from .rules import ExtractionRules

__all__ = [
    "ExtractedArticle",
    "ExtractionRules",
    "date_from_url",
    "decode_html",
    "extract_article",
    "parse_chinese_datetime",
]
