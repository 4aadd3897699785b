"""Other ways to answer the same queries, for the search benchmark: a substring scan, SQLite FTS5
with the trigram tokenizer, and tantivy over precomputed character bigrams.

Every peer gets the same folded text (reader.core.normalize), one list of segments per post (the
title first), and answers with the set of matching post numbers, or None when it cannot answer.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Sequence

from reader.core.query import ParsedQuery


class BruteForce:
    """`term in text` over every folded title and paragraph: the definition of a match."""

    name = "substring scan (str.find)"
    note = "result set only: no ranking, no snippets"

    def build(self, folded: Sequence[Sequence[str]]) -> None:
        self.folded = folded

    def nbytes(self) -> int:
        return sum(sys.getsizeof(s) for segs in self.folded for s in segs)

    def search(self, parsed: ParsedQuery, limit: int) -> tuple[int, list[int]] | None:
        del limit
        found = [
            i
            for i, segs in enumerate(self.folded)
            if all(any(t in s for s in segs) for t in parsed.terms)
            and all(t in segs[0] for t in parsed.title_terms)
            and not any(any(t in s for s in segs) for t in parsed.excluded)
        ]
        return len(found), found

    def matches(self, parsed: ParsedQuery) -> set[int] | None:
        result = self.search(parsed, 0)
        return None if result is None else set(result[1])


class Fts5Trigram:
    """SQLite FTS5, trigram tokenizer, in memory; one row per title or paragraph.

    MATCH needs terms of 3+ characters; with `like_fallback`, shorter terms use LIKE (a full scan,
    and on SQLite before 3.45 wrong for one or two non-ASCII characters on a trigram table).
    """

    def __init__(self, like_fallback: bool = False) -> None:
        self.like_fallback = like_fallback
        self.name = "SQLite FTS5 trigram" + (" + LIKE for <3 chars" if like_fallback else "")
        self.note = f"SQLite {sqlite3.sqlite_version}; " + (
            "LIKE fallback for 1-2 character terms"
            if like_fallback
            else "MATCH only: queries with a term under 3 characters not answered"
        )

    def build(self, folded: Sequence[Sequence[str]]) -> None:
        self.con = sqlite3.connect(":memory:")
        self.con.execute(
            "CREATE VIRTUAL TABLE segs USING fts5(body, post UNINDEXED, is_title UNINDEXED, "
            "tokenize='trigram case_sensitive 1')"
        )
        rows = ((s, i, int(k == 0)) for i, segs in enumerate(folded) for k, s in enumerate(segs))
        self.con.executemany("INSERT INTO segs(body, post, is_title) VALUES (?, ?, ?)", rows)
        self.con.commit()
        self.n_posts = len(folded)

    def nbytes(self) -> int:
        pages = self.con.execute("PRAGMA page_count").fetchone()[0]
        size = self.con.execute("PRAGMA page_size").fetchone()[0]
        return int(pages * size)

    def _select(self, term: str, title_only: bool) -> tuple[str, str] | None:
        where = " AND is_title = 1" if title_only else ""
        if len(term) >= 3:
            return f"SELECT post FROM segs WHERE segs MATCH ?{where}", '"' + term.replace(
                '"', '""'
            ) + '"'
        if not self.like_fallback:
            return None
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"SELECT post FROM segs WHERE body LIKE ? ESCAPE '\\'{where}", f"%{escaped}%"

    def _sql(self, parsed: ParsedQuery) -> tuple[str, list[str]] | None:
        positive = [(t, False) for t in parsed.terms] + [(t, True) for t in parsed.title_terms]
        parts = [self._select(t, title) for t, title in positive]
        negative = [self._select(t, False) for t in parsed.excluded]
        if any(p is None for p in parts + negative):
            return None
        sql = " INTERSECT ".join(p[0] for p in parts) if parts else "SELECT post FROM segs"
        params = [p[1] for p in parts]
        for p in negative:
            sql += " EXCEPT " + p[0]
            params.append(p[1])
        return sql, params

    def search(self, parsed: ParsedQuery, limit: int) -> tuple[int, list[int]] | None:
        query = self._sql(parsed)
        if query is None:
            return None
        sql, params = query
        rows = self.con.execute(sql, params).fetchall()
        return len(rows), [r[0] for r in rows[:limit]]

    def matches(self, parsed: ParsedQuery) -> set[int] | None:
        query = self._sql(parsed)
        if query is None:
            return None
        return {r[0] for r in self.con.execute(*query)}


class TantivyBigrams:
    """tantivy in RAM over precomputed character bigrams (whitespace tokenizer), phrase queries.

    tantivy's own n-gram tokenizer puts every gram at position 0, so phrases over it do not mean
    "adjacent"; characters are therefore coded as fixed-width ASCII tokens here, a separator token
    between paragraphs, and a term becomes a phrase of its successive bigrams.
    """

    name = "tantivy (bigram tokens + phrase)"
    note = "Python pre-tokenisation counted in build; first page + count per query"

    def build(self, folded: Sequence[Sequence[str]]) -> None:
        import tantivy

        self.tantivy = tantivy
        alphabet = sorted({c for segs in folded for s in segs for c in s})
        width = 1
        while 36**width < len(alphabet):
            width += 1
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"

        def code(n: int) -> str:
            out = ""
            for _ in range(width):
                n, r = divmod(n, 36)
                out += digits[r]
            return out

        self.codes = {c: code(i) for i, c in enumerate(alphabet)}
        builder = tantivy.SchemaBuilder()
        for field in ("bi", "title_bi"):
            builder.add_text_field(field, tokenizer_name="whitespace", index_option="position")
        for field in ("uni", "title_uni"):
            builder.add_text_field(field, tokenizer_name="whitespace", index_option="freq")
        builder.add_integer_field("post", stored=True, fast=True)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema)
        writer = self.index.writer(heap_size=256_000_000, num_threads=1)
        for i, segs in enumerate(folded):
            bigrams, unigrams = zip(*(self._tokens(s) for s in segs), strict=True)
            writer.add_document(
                tantivy.Document(
                    post=i,
                    bi=" | ".join(bigrams),
                    uni=" ".join(unigrams),
                    title_bi=bigrams[0],
                    title_uni=unigrams[0],
                )
            )
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        self.n_posts = len(folded)

    def _tokens(self, text: str) -> tuple[str, str]:
        codes = [self.codes[c] for c in text]
        return " ".join(map(str.__add__, codes, codes[1:])), " ".join(codes)

    def nbytes(self) -> int | None:
        return None

    def _term(self, term: str, title_only: bool):
        tantivy = self.tantivy
        if any(c not in self.codes for c in term):
            return tantivy.Query.empty_query()
        codes = [self.codes[c] for c in term]
        prefix = "title_" if title_only else ""
        if len(codes) == 1:
            return tantivy.Query.term_query(self.schema, prefix + "uni", codes[0])
        bigrams = list(map(str.__add__, codes, codes[1:]))
        if len(bigrams) == 1:
            return tantivy.Query.term_query(self.schema, prefix + "bi", bigrams[0])
        return tantivy.Query.phrase_query(self.schema, prefix + "bi", bigrams)

    def _query(self, parsed: ParsedQuery):
        tantivy = self.tantivy
        clauses = [(tantivy.Occur.Must, self._term(t, False)) for t in parsed.terms]
        clauses += [(tantivy.Occur.Must, self._term(t, True)) for t in parsed.title_terms]
        if not clauses:
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        clauses += [(tantivy.Occur.MustNot, self._term(t, False)) for t in parsed.excluded]
        return tantivy.Query.boolean_query(clauses)

    def search(self, parsed: ParsedQuery, limit: int) -> tuple[int, list[int]] | None:
        result = self.searcher.search(self._query(parsed), limit=limit, count=True)
        return result.count, [addr for _, addr in result.hits]

    def matches(self, parsed: ParsedQuery) -> set[int] | None:
        result = self.searcher.search(self._query(parsed), limit=max(self.n_posts, 1))
        return {self.searcher.doc(addr)["post"][0] for _, addr in result.hits}
