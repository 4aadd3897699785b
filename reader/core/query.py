"""The search query language (terms, phrases, negation, filters) and the brute-force reference.

Grammar, terms separated by white space:
  word            the post's title or one of its paragraphs contains `word`
  "a phrase"      one term, spaces included
  -word, -"a b"   the post contains no such text
  title:word      the title contains `word` (also title:"a phrase"; -title:word excludes)
  author:name     the author's name contains `name` (-author:name excludes)
  year:2020       published in 2020; year:2019..2021, year:2019.. and year:..2021 are ranges
Terms and text are compared in the normalised form of reader.core.normalize (NFKC + casefold). A
word like `arXiv:1706` whose prefix is not a known field is an ordinary term.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from reader.core.model import Post
from reader.core.normalize import normalize

_TOKEN = re.compile(
    r'(?P<neg>-?)(?:(?P<field>title|author|year):)?(?:"(?P<phrase>[^"]*)(?P<close>"?)|(?P<bare>\S+))',
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(\d{1,4})?(?:(\.\.)(\d{1,4})?)?$")
_FIELD_ONLY = re.compile(r"-?(?:title|author|year):$", re.IGNORECASE)


@dataclass(frozen=True)
class YearRange:
    """An inclusive range of years; None on a side means open."""

    first: int | None
    last: int | None

    def contains(self, year: int) -> bool:
        return (self.first is None or year >= self.first) and (
            self.last is None or year <= self.last
        )


@dataclass
class ParsedQuery:
    """A query broken into normalised terms and filters."""

    terms: list[str] = field(default_factory=list)
    """Text that must occur in the title or one paragraph."""
    title_terms: list[str] = field(default_factory=list)
    """Text that must occur in the title."""
    excluded: list[str] = field(default_factory=list)
    """Text that must occur nowhere (title or paragraphs)."""
    excluded_title: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    excluded_authors: list[str] = field(default_factory=list)
    years: list[YearRange] = field(default_factory=list)
    excluded_years: list[YearRange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Sentences telling the user what part of the query was ignored and why."""

    @property
    def positive_terms(self) -> tuple[str, ...]:
        """Text terms to highlight and score, in query order, without repeats."""
        return tuple(dict.fromkeys(self.terms + self.title_terms))

    @property
    def is_empty(self) -> bool:
        return not (
            self.terms
            or self.title_terms
            or self.excluded
            or self.excluded_title
            or self.authors
            or self.excluded_authors
            or self.years
            or self.excluded_years
        )


def parse_query(query: str) -> ParsedQuery:
    """Split a query into terms and filters; never raises (problems are listed instead)."""
    parsed = ParsedQuery()
    pos = 0
    while True:
        while pos < len(query) and query[pos].isspace():
            pos += 1
        if pos >= len(query):
            break
        chunk_end = pos
        while chunk_end < len(query) and not query[chunk_end].isspace():
            chunk_end += 1
        if _FIELD_ONLY.match(query[pos:chunk_end]):
            parsed.problems.append(f"'{query[pos:chunk_end]}' needs a value after the colon.")
            pos = chunk_end
            continue
        match = _TOKEN.match(query, pos)
        assert match is not None  # \S+ always matches a non-space character
        pos = match.end()
        _add_token(parsed, match)
    return parsed


def _add_token(parsed: ParsedQuery, match: re.Match[str]) -> None:
    negated = bool(match["neg"])
    field_name = (match["field"] or "").lower()
    raw = match["phrase"] if match["phrase"] is not None else match["bare"]
    if match["phrase"] is not None and not match["close"]:
        parsed.problems.append(f'The quote before "{raw}" is not closed; searched for it as typed.')
    if not raw:
        return
    if field_name == "year":
        years = _parse_years(raw)
        if years is None:
            parsed.problems.append(
                f"'year:{raw}' is not a year; write year:2020 or year:2019..2021. Ignored it."
            )
        else:
            (parsed.excluded_years if negated else parsed.years).append(years)
        return
    value = normalize(raw)
    if field_name == "title":
        (parsed.excluded_title if negated else parsed.title_terms).append(value)
    elif field_name == "author":
        (parsed.excluded_authors if negated else parsed.authors).append(value)
    else:
        (parsed.excluded if negated else parsed.terms).append(value)


def _parse_years(raw: str) -> YearRange | None:
    match = _YEAR.match(raw)
    if not match or (match[1] is None and match[3] is None):
        return None
    first = int(match[1]) if match[1] else None
    if not match[2]:
        return YearRange(first, first)
    last = int(match[3]) if match[3] else None
    if first is not None and last is not None and first > last:
        first, last = last, first
    return YearRange(first, last)


def post_passes_filters(post: Post, parsed: ParsedQuery) -> bool:
    """The author and year filters of a query (shared by the index and the reference)."""
    if parsed.authors or parsed.excluded_authors:
        author = normalize(post.author)
        if not all(a in author for a in parsed.authors):
            return False
        if any(a in author for a in parsed.excluded_authors):
            return False
    if parsed.years or parsed.excluded_years:
        if post.date is None:
            return False
        year = post.date.year
        if not all(r.contains(year) for r in parsed.years):
            return False
        if any(r.contains(year) for r in parsed.excluded_years):
            return False
    return True


def reference_search(posts: Sequence[Post], query: str) -> list[str]:
    """Ids of the posts matching `query`, by a plain substring scan of every normalised paragraph.

    This is the definition the index must agree with; it is slow and meant for tests and benchmarks.
    """
    parsed = parse_query(query)
    return [post.id for post in posts if _reference_matches(post, parsed)]


def _reference_matches(post: Post, parsed: ParsedQuery) -> bool:
    if not post_passes_filters(post, parsed):
        return False
    title = normalize(post.title)
    texts = [title, *(normalize(p) for p in post.paragraphs)]

    def anywhere(term: str) -> bool:
        return any(term in text for text in texts)

    return (
        all(anywhere(t) for t in parsed.terms)
        and all(t in title for t in parsed.title_terms)
        and not any(anywhere(t) for t in parsed.excluded)
        and not any(t in title for t in parsed.excluded_title)
    )
