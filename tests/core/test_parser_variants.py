"""Every input variant of the issue, as golden files (tests/data/X + X.expected.json) and cases."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from reader.core.decoding import decode_bytes
from reader.core.parser import (
    ParseCancelled,
    parse_dump_text,
    parse_file,
    parse_markdown_text,
    parse_paths,
)

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN_INPUTS = sorted(
    p for p in DATA.iterdir() if p.is_file() and not p.name.endswith((".json", "README.md"))
)


def _as_expected(path: Path) -> dict[str, object]:
    result = parse_file(path)
    return {
        "posts": [
            {
                "line": p.line,
                "title": p.title,
                "author": p.author,
                "date": p.date.isoformat() if p.date else None,
                "readers": p.readers,
                "url": p.url,
                "paragraphs": list(p.paragraphs),
            }
            for p in result.posts
        ],
        "diagnostics": [
            {"line": d.line, "severity": d.severity, "message": d.message}
            for d in result.diagnostics
        ],
    }


@pytest.mark.parametrize("path", GOLDEN_INPUTS, ids=lambda p: p.name)
def test_golden_file_gives_its_expected_posts_and_diagnostics(path: Path) -> None:
    expected = json.loads(Path(f"{path}.expected.json").read_text(encoding="utf-8"))
    assert _as_expected(path) == expected


def test_every_golden_input_has_an_expectation() -> None:
    assert len(GOLDEN_INPUTS) >= 10
    for path in GOLDEN_INPUTS:
        assert Path(f"{path}.expected.json").exists(), path


def test_crlf_and_bom_give_the_same_posts_as_plain_lf() -> None:
    plain = parse_file(DATA / "separators.txt")
    crlf = parse_file(DATA / "crlf-bom.txt")
    assert [(p.id, p.paragraphs, p.line) for p in crlf.posts] == [
        (p.id, p.paragraphs, p.line) for p in plain.posts
    ]
    assert all("\r" not in par and "\ufeff" not in par for p in crlf.posts for par in p.paragraphs)


def test_lone_carriage_returns_also_end_lines() -> None:
    text = "标题\rBy 苏剑林 | 2020-01-01 | 1位读者 | 引用第一段\r第二段\r"
    (post,) = parse_dump_text(text).posts
    assert post.paragraphs == ("第一段", "第二段")


def test_gbk_encoded_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("标题\nBy 苏剑林 | 2011-11-11 | 10位读者 | 引用简体中文。\n".encode("gbk"))
    result = parse_file(path)
    assert [p.paragraphs for p in result.posts] == [("简体中文。",)]
    assert [d.severity for d in result.diagnostics] == ["info"]
    assert "GB18030" in result.diagnostics[0].message


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes("标题\nBy 苏剑林 | 2011-11-11 | 10位读者 | 引用正文。\n".encode("utf-16"))
    assert [p.title for p in parse_file(path).posts] == ["标题"]


def test_bytes_valid_in_no_encoding_are_replaced_and_named(tmp_path: Path) -> None:
    head = "标题\nBy 苏剑林 | 2011-11-11 | 10位读者 | 引用正文。\n坏".encode()
    data = head + b"\xff\xfe\xff" + b"\n"
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    result = parse_file(path)
    assert not result.has_errors
    (warning,) = [d for d in result.diagnostics if d.severity == "warning"]
    assert warning.line == 3
    assert result.posts[0].paragraphs[-1].startswith("坏\ufffd")


def test_binary_file_is_an_error_and_other_files_still_load(tmp_path: Path) -> None:
    shutil.copy(DATA / "binary.txt", tmp_path / "a.txt")
    shutil.copy(DATA / "separators.txt", tmp_path / "b.txt")
    result = parse_paths([tmp_path])
    assert result.has_errors
    assert len(result.posts) == 4
    (error,) = [d for d in result.diagnostics if d.severity == "error"]
    assert error.source.endswith("a.txt") and "binary" in error.message


@pytest.mark.parametrize("control", ["\x01", "\x08", "\x0b", "\x0e", "\x19", "\x1b", "\x1f", ""])
def test_text_of_control_codes_is_read_as_binary(control: str) -> None:
    """A tenth of the characters control codes: binary (over 5%), but for the ones prose has."""
    for allowed in ["\t", "\n", "\r", "\f", "\x1a"]:
        assert decode_bytes((allowed * 10 + "文" * 90).encode(), "x.txt").text is not None
    decoded = decode_bytes((control * 10 + "文" * 90).encode(), "x.txt")
    assert (decoded.text is None) == bool(control)
    assert any("binary" in d.message for d in decoded.diagnostics) == bool(control)


def test_folder_is_read_recursively_with_both_kinds_of_file(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    shutil.copy(DATA / "separators.txt", tmp_path / "sub" / "a.txt")
    shutil.copy(DATA / "front-matter.md", tmp_path / "sub" / "deeper" / "b.md")
    shutil.copy(DATA / "display-math.txt", tmp_path / ".hidden" / "c.txt")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\x00")
    result = parse_paths([tmp_path])
    sources = {Path(p.source).name for p in result.posts}
    assert sources == {"a.txt", "b.md"}
    assert len(result.posts) == 5
    assert not result.has_errors


def test_several_paths_and_the_same_post_in_two_files_is_kept_once() -> None:
    result = parse_paths([DATA / "separators.txt", DATA / "crlf-bom.txt", DATA / "gb18030.txt"])
    assert len(result.posts) == 5
    assert {Path(p.source).name for p in result.posts} == {"separators.txt", "gb18030.txt"}
    duplicates = [d for d in result.diagnostics if "already read" in d.message]
    assert len(duplicates) == 4
    assert all(d.severity == "warning" and d.source.endswith("crlf-bom.txt") for d in duplicates)
    assert all("separators.txt" in d.message for d in duplicates)


def test_the_same_file_given_twice_is_read_once() -> None:
    result = parse_paths([DATA / "separators.txt", DATA / "separators.txt"])
    assert len(result.posts) == 4
    assert not [d for d in result.diagnostics if "already read" in d.message]


def test_missing_path_is_an_error_and_the_rest_loads() -> None:
    result = parse_paths([DATA / "no-such-file.txt", DATA / "gb18030.txt"])
    assert result.has_errors
    assert len(result.posts) == 1
    assert any("No such file" in d.message for d in result.diagnostics)


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.txt"
    folder.mkdir()
    result = parse_file(folder)
    assert result.has_errors and not result.posts


def test_empty_folder_gets_a_warning(tmp_path: Path) -> None:
    result = parse_paths([tmp_path])
    assert not result.posts and not result.has_errors
    assert [d.severity for d in result.diagnostics] == ["warning"]


def test_progress_reaches_the_total_and_cancel_stops(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    parse_paths([DATA], on_progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    with pytest.raises(ParseCancelled):
        parse_paths([DATA], should_cancel=lambda: True)


def test_cancel_is_checked_within_a_large_file(tmp_path: Path) -> None:
    from reader.core.corpus import generate_dump

    path = tmp_path / "big.txt"
    path.write_text(generate_dump(60, seed=1), encoding="utf-8")
    calls = 0

    def cancel_on_second_check() -> bool:
        nonlocal calls
        calls += 1
        return calls >= 2

    with pytest.raises(ParseCancelled):
        parse_paths([path], should_cancel=cancel_on_second_check)


def test_meta_line_variants() -> None:
    text = "\n".join([
        "A",
        "By 苏剑林|2020-01-02|1,234,567位读者|引用紧凑。",
        "B",
        "By  苏剑林  ｜  2020年1月3日  ｜  12，345 位读者  ｜  引用  宽松。",
        "C",
        "By 苏剑林 | 2020/01/04",
        "D",
        "By  | 2020-01-05 | 7位读者 | 引用没有作者。",
    ])
    posts = parse_dump_text(text).posts
    assert [(p.title, p.date, p.readers, p.paragraphs) for p in posts] == [
        ("A", dt.date(2020, 1, 2), 1234567, ("紧凑。",)),
        ("B", dt.date(2020, 1, 3), 12345, ("宽松。",)),
        ("C", dt.date(2020, 1, 4), None, ()),
        ("D", dt.date(2020, 1, 5), 7, ("没有作者。",)),
    ]
    assert posts[3].author == "苏剑林"


def test_by_lines_that_are_not_meta_lines_stay_body_text() -> None:
    text = "\n".join([
        "标题",
        "By 苏剑林 | 2020-01-02 | 1位读者 | 引用第一段。",
        "By the way | this is prose | 2020 was a year.",
        "By 2020-01-02 alone",
        "Bypass | 2020-01-02 | 1位读者",
    ])
    result = parse_dump_text(text)
    (post,) = result.posts
    assert post.paragraphs[1:] == tuple(text.split("\n")[2:])
    assert not result.diagnostics


def test_meta_line_first_in_file_gets_a_placeholder_title() -> None:
    result = parse_dump_text("By 苏剑林 | 2020-01-02 | 1位读者 | 引用正文。")
    (post,) = result.posts
    assert post.title == "Untitled post (line 1)"
    assert [d.severity for d in result.diagnostics] == ["warning"]


def test_blank_lines_between_title_and_meta_line_are_tolerated() -> None:
    (post,) = parse_dump_text("\n标题\n\n  \nBy 苏剑林 | 2020-01-02 | 1位读者 | 引用正文。\n").posts
    assert (post.title, post.line) == ("标题", 2)


def test_a_post_titled_like_a_sidebar_heading_is_still_a_post() -> None:
    text = "最近评论\nBy 苏剑林 | 2020-01-02 | 1位读者 | 引用正文。\n"
    (post,) = parse_dump_text(text).posts
    assert post.title == "最近评论"


def test_runaway_display_math_is_given_up_after_a_limit() -> None:
    meta = "By 苏剑林 | 2020-01-02 | 1位读者 | 引用开始"
    lines = ["标题", meta, "$$", *[f"x_{i}" for i in range(300)]]
    result = parse_dump_text("\n".join(lines))
    (post,) = result.posts
    assert len(post.paragraphs) == 1 + 1 + 300
    assert any("not closed within" in d.message for d in result.diagnostics)


def test_markdown_front_matter_fields() -> None:
    text = (DATA / "front-matter.md").read_text(encoding="utf-8")
    (post,) = parse_markdown_text(text, "x.md").posts
    assert (post.title, post.date, post.readers, post.url) == (
        "Markdown 文件里的文章",
        dt.date(2023, 5, 6),
        12345,
        "https://kexue.fm/archives/9999",
    )
    assert post.markdown.startswith("第一段,含公式 $E=mc^2$。")
    assert len(post.paragraphs) == 3


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: [unclosed\n", "not valid"),
        ("title: 没有日期\n", "no 'date'"),
        ("title: 坏日期\ndate: 2020-02-30\n", "not a date"),
        ("title: 坏读者\ndate: 2020-02-03\nreaders: many\n", "not a count"),
        ("- a list\n", "not a list of 'key: value'"),
    ],
)
def test_markdown_front_matter_problems_are_warnings(front: str, message: str) -> None:
    result = parse_markdown_text(f"---\n{front}---\n正文。\n", "x.md")
    assert len(result.posts) == 1
    assert any(message in d.message and d.severity == "warning" for d in result.diagnostics)
    assert not result.has_errors


def test_markdown_front_matter_never_closed() -> None:
    result = parse_markdown_text("---\ntitle: x\n正文。\n", "x.md")
    assert len(result.posts) == 1
    assert any("never closed" in d.message for d in result.diagnostics)


def test_a_single_path_not_in_a_list_is_one_path() -> None:
    assert len(parse_paths(str(DATA / "separators.txt")).posts) == 4
    assert len(parse_paths(DATA / "separators.txt").posts) == 4


def test_impossible_path_is_an_error_not_an_exception() -> None:
    result = parse_paths(["bad\x00name.txt", DATA / "gb18030.txt"])
    assert result.has_errors and len(result.posts) == 1


def test_next_saved_page_starting_with_the_site_header_is_chrome() -> None:
    text = "\n".join([
        "第一篇",
        "By 苏剑林 | 2020-01-01 | 1位读者 | 引用正文。",
        "科学空间 | Scientific Spaces",
        "首页 | 归档 | 关于",
        "第二篇",
        "By 苏剑林 | 2020-01-02 | 2位读者 | 引用另一篇。",
    ])
    result = parse_dump_text(text)
    assert [p.paragraphs for p in result.posts] == [("正文。",), ("另一篇。",)]
    assert [d.line for d in result.diagnostics] == [3, 4]


def test_cite_label_without_its_separator() -> None:
    text = "标题\nBy 苏剑林 | 2020-01-02 | 1,234位读者引用第一段。\n"
    (post,) = parse_dump_text(text).posts
    assert (post.readers, post.paragraphs) == (1234, ("第一段。",))
