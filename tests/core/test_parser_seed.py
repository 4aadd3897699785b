"""The bundled seed file (the blog's saved front page) reads as its 7 posts."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files

from reader.core.parser import parse_dump_text, parse_file

SEED = files("reader.resources") / "sample" / "kexue-homepage-sample.txt"

EXPECTED = [
    # (title line, title, date, readers)
    (1, "强大的NVAE:以后再也不能说VAE生成的图像模糊了", dt.date(2020, 7, 10), 110996),
    (5, "修改Transformer结构,设计一个更快更好的MLM模型", dt.date(2020, 8, 7), 54610),
    (8, "最小熵原理(六):词向量的维度应该怎么选择?", dt.date(2020, 8, 20), 101364),
    (13, "搜狐文本匹配:基于条件LayerNorm的多任务baseline", dt.date(2021, 4, 16), 89678),
    (17, "殊途同归的策略梯度与零阶优化", dt.date(2020, 9, 15), 56786),
    (20, "提速不掉点:基于词颗粒度的中文WoBERT", dt.date(2020, 9, 18), 112270),
    (23, "必须要GPT3吗?不,BERT的MLM模型也能小样本学习", dt.date(2020, 9, 27), 153048),
]


def test_seed_file_gives_its_seven_posts_with_titles_dates_and_readers() -> None:
    result = parse_file(str(SEED))
    got = [(p.line, p.title, p.date, p.readers) for p in result.posts]
    assert got == EXPECTED
    assert all(p.author == "苏剑林" for p in result.posts)
    assert not result.has_errors


def test_first_paragraph_comes_from_the_meta_line_without_the_cite_label() -> None:
    first = parse_file(str(SEED)).posts[0]
    assert first.paragraphs[0].startswith("昨天早上,笔者在日常刷arixv的时候")
    assert first.paragraphs[1] == "然后笔者的第一感觉是这样的:"
    assert len(first.paragraphs) == 3


def test_text_after_the_seventh_post_belongs_to_it_and_recent_comments_is_chrome() -> None:
    result = parse_file(str(SEED))
    last = result.posts[-1]
    assert "后台提示,本文是科学空间的第1000篇文章。" in last.paragraphs
    assert last.paragraphs[-1].startswith("然后,庆幸一下。")
    assert all("最近评论" not in p for post in result.posts for p in post.paragraphs)
    chrome = [d for d in result.diagnostics if d.line == 30]
    assert len(chrome) == 1
    assert chrome[0].severity == "info"
    assert "最近评论" in chrome[0].message
    assert len(result.diagnostics) == 1


def test_display_equation_in_the_seed_is_one_paragraph_kept_verbatim() -> None:
    post = parse_file(str(SEED)).posts[2]
    equation = r"\begin{equation}n > 8.33\log N\label{eq:final}\end{equation}"
    assert equation in post.paragraphs
    assert f"\n\n{equation}\n\n" in post.markdown
    assert "$n > 8\\log N$" in post.markdown


def test_parse_dump_text_matches_parse_file() -> None:
    text = SEED.read_text(encoding="utf-8")
    from_text = parse_dump_text(text, source="seed")
    from_file = parse_file(str(SEED))
    assert [p.id for p in from_text.posts] == [p.id for p in from_file.posts]
    assert [p.paragraphs for p in from_text.posts] == [p.paragraphs for p in from_file.posts]
