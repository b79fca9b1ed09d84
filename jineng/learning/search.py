"""Chinese search terms for the catalogue: jieba segmentation into a portable indexed term table.

Why a term table (`CourseTerm`) rather than SQLite FTS5 beside PostgreSQL `to_tsvector`: one
segmentation (jieba, in Python) and one query serve both databases, so a search finds exactly the
same courses on the laptop and in production; FTS5's and PostgreSQL's own tokenisers know no
Chinese words anyway, so both would index pre-segmented text, and PostgreSQL's 'simple' config
with a GIN index would answer the same term lookups as this table's B-tree. A query is segmented
the same way and every one of its terms must match (AND); each term is one index range scan on
(term, published, course), and the course filters apply to the (usually small) matching set.

Indexing uses `jieba.cut_for_search` (the words and their dictionary sub-words: 数控车床 → 数控,
车床, 数控车床), the query `jieba.cut` (whole words), so a query word is always among the terms of
a text that contains it as a word.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

TERM_MAX_LENGTH = 32
MAX_QUERY_TERMS = 8
_WORD = re.compile(r"[\w]", re.UNICODE)
_lock = threading.Lock()
_ready = False


def _ensure_loaded() -> None:
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.initialize()
                _ready = True


def _clean(tokens: Iterable[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for raw in tokens:
        token = raw.strip().lower()[:TERM_MAX_LENGTH]
        if not token or not _WORD.search(token) or token in seen:
            continue
        seen.add(token)
        out.append(token)
    return out


@lru_cache(maxsize=65_536)
def _search_tokens(text: str) -> tuple[str, ...]:
    # Cached: seeded and imported catalogues repeat occupation names and descriptions a lot.
    return tuple(jieba.cut_for_search(text))


def index_terms(*texts: str) -> list[str]:
    """The distinct search terms of a course's texts (title, description, occupation name)."""
    _ensure_loaded()
    tokens: list[str] = []
    for text in texts:
        if text:
            tokens.extend(_search_tokens(text))
    return _clean(tokens)


def query_terms(q: str) -> list[str]:
    """The terms a query must all match (at most MAX_QUERY_TERMS; an empty query has none)."""
    _ensure_loaded()
    return _clean(jieba.cut(q or ""))[:MAX_QUERY_TERMS]
