"""Nothing is lost: every non-blank input line ends up in a post (title, meta line, body) or is
quoted by a diagnostic naming its line — checked by walking the input against the output."""

from __future__ import annotations

import codecs
from collections import deque
from importlib.resources import files

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.corpus import generate_corpus
from reader.core.decoding import decode_bytes
from reader.core.dump_format import SIDEBAR_HEADINGS, parse_dump_lines, split_lines
from reader.core.model import Diagnostic, Post

# Generating a corpus builds its sentence pool first, so a few are made once and reused.
CORPUS_LINES = [
    generate_corpus(n, seed=seed, chrome_every=chrome).text.split("\n")
    for n, seed, chrome in [(1, 0, 0), (2, 1, 1), (3, 2, 2), (3, 3, 0), (2, 4, 1)]
]
SEED_LINES = (files("reader.resources") / "sample" / "kexue-homepage-sample.txt").read_text(
    encoding="utf-8"
).split("\n")


def assert_every_line_accounted_for(
    lines: list[str], posts: list[Post], diagnostics: list[Diagnostic]
) -> None:
    """Walk the non-blank lines in order; each must be the next expected piece of output."""
    posts_by_line = {p.line: p for p in posts}
    assert len(posts_by_line) == len(posts), "two posts claim the same line"
    quoted = {d.line: d for d in diagnostics if d.severity == "info" and d.line is not None}
    pending: deque[str] = deque()  # the current post's paragraph lines not yet seen
    expect_meta_for: Post | None = None
    seen_posts = 0
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        post = posts_by_line.get(number)
        if post is not None:
            assert not pending, f"post ending before line {number} lost {list(pending)}"
            assert expect_meta_for is None
            seen_posts += 1
            pending.extend(line for par in post.paragraphs for line in par.split("\n"))
            if post.title.startswith("Untitled post (line"):
                text_is_meta = True
            else:
                assert post.title == text, (number, post.title, text)
                expect_meta_for = post
                continue
        else:
            text_is_meta = False
        if expect_meta_for is not None or text_is_meta:
            meta_post = expect_meta_for or post
            assert meta_post is not None
            assert text.startswith("By"), (number, text)
            assert meta_post.date is not None and str(meta_post.date.year) in text
            if "引用" in text:
                rest = text.split("引用", 1)[1].strip()  # the first paragraph follows 引用
                if rest:
                    assert pending and pending[0] == rest, (number, rest, list(pending)[:1])
                    pending.popleft()
            elif pending and text.endswith(pending[0]) and text != pending[0]:
                pending.popleft()
            expect_meta_for = None
            continue
        if number in quoted:
            assert not pending, f"chrome at line {number} while the post still expects {pending}"
            assert f'"{text}"' in quoted[number].message, (number, text, quoted[number].message)
            continue
        assert pending, f"line {number} is neither in a post nor in a diagnostic: {text!r}"
        assert pending[0] == text, (number, pending[0], text)
        pending.popleft()
    assert not pending, f"paragraphs not found in the input: {list(pending)}"
    assert expect_meta_for is None
    assert seen_posts == len(posts)


def _parse_bytes(data: bytes) -> tuple[list[str], list[Post], list[Diagnostic]]:
    decoded = decode_bytes(data, "<test>")
    assert decoded.text is not None, decoded.diagnostics
    lines = split_lines(decoded.text)
    posts, diagnostics = parse_dump_lines(lines, "<test>")
    return lines, posts, decoded.diagnostics + diagnostics


# --- building inputs ---------------------------------------------------------------------------

_WORDS = st.sampled_from([
    "By", "By ", "By 苏剑林", " | ", "｜", "2020-01-02", "2020-13-40", "位读者", "引用", "1,234",
    "$$", "\\begin{equation}", "\\end{equation}", "\\[", "\\]", "\\begin{aligned}", "$x$",
    "最近评论", "友情链接", "向量", "梯度", "。", ",", "#", "1.", "-", ">", "*", "_", "<b>",
    "&", " ", "\t", "\u3000",
])
_FREE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff"),
    max_size=6,
)
_RANDOM_LINE = st.lists(st.one_of(_WORDS, _FREE_TEXT), max_size=8).map("".join)
_META_LINE = st.builds(
    lambda rest, readers: f"By 苏剑林 | 2024-02-29 | {readers}位读者 | 引用{rest}",
    _RANDOM_LINE,
    st.sampled_from(["1", "1,234", "12，345", "99999"]),
)
_CHROME_BLOCK = st.tuples(
    st.sampled_from(sorted(SIDEBAR_HEADINGS)), st.lists(_RANDOM_LINE, max_size=4)
)
_INSERT = st.one_of(
    _RANDOM_LINE.map(lambda line: [line]),
    _META_LINE.map(lambda line: [line]),
    _CHROME_BLOCK.map(lambda block: [block[0], *block[1]]),
    st.sampled_from([["$$"], ["\\begin{equation}"], ["\\["], [""], ["   "], ["By the way"]]),
)


@st.composite
def mutated_dump(draw: st.DrawFn) -> bytes:
    lines = list(draw(st.sampled_from([SEED_LINES, *CORPUS_LINES])))
    for _ in range(draw(st.integers(0, 8))):
        at = draw(st.integers(0, len(lines)))
        lines[at:at] = draw(_INSERT)
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "gb18030"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    if encoding == "utf-8" and draw(st.booleans()):
        data = codecs.BOM_UTF8 + data
    return data[: len(data) - draw(st.integers(0, 3))]


# --- the properties ----------------------------------------------------------------------------


def test_seed_file_accounts_for_every_line() -> None:
    posts, diagnostics = parse_dump_lines(SEED_LINES, "seed")
    assert_every_line_accounted_for(SEED_LINES, posts, diagnostics)


def test_generated_corpus_with_chrome_accounts_for_every_line() -> None:
    corpus = generate_corpus(30, seed=7, chrome_every=4)
    lines = corpus.text.split("\n")
    posts, diagnostics = parse_dump_lines(lines, "corpus")
    assert_every_line_accounted_for(lines, posts, diagnostics)
    assert sorted(d.line for d in diagnostics) == list(corpus.chrome_lines)


def test_the_walk_notices_a_lost_line() -> None:
    lines = ["标题", "By 苏剑林 | 2020-01-02 | 1位读者 | 引用第一段", "第二段", "第三段"]
    posts, diagnostics = parse_dump_lines(lines, "x")
    post = posts[0]
    truncated = Post(**{**{f: getattr(post, f) for f in post.__slots__},
                        "paragraphs": post.paragraphs[:-1]})
    try:
        assert_every_line_accounted_for(lines, [truncated], diagnostics)
    except AssertionError:
        return
    raise AssertionError("a lost line went unnoticed")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_dump())
def test_mutated_dumps_account_for_every_line(data: bytes) -> None:
    lines, posts, diagnostics = _parse_bytes(data)
    assert_every_line_accounted_for(lines, posts, diagnostics)
    assert not any(d.severity == "error" for d in diagnostics)
