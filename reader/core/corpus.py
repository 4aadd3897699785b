"""Generator of realistic homepage-dump corpora (Chinese prose, English terms, TeX) for tests and
benchmarks: deterministic for a seed, and it knows the posts a parser must read back.

    python -m reader.core.corpus 1500 --seed 0 -o benchmarks/out/corpus.txt
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

AUTHOR = "苏剑林"

NOUNS = (
    "向量",
    "梯度",
    "模型",
    "词向量",
    "注意力",
    "损失函数",
    "矩阵",
    "概率分布",
    "采样",
    "优化器",
    "学习率",
    "正则化",
    "卷积",
    "神经网络",
    "隐变量",
    "先验分布",
    "后验分布",
    "似然函数",
    "编码器",
    "解码器",
    "位置编码",
    "归一化",
    "特征",
    "样本",
    "训练集",
    "参数",
    "维度",
    "信息熵",
    "互信息",
    "期望",
    "方差",
    "积分",
    "导数",
    "级数",
    "微分方程",
    "生成模型",
    "扩散模型",
    "语言模型",
    "预训练",
    "微调",
    "序列",
    "文本",
    "词表",
    "分词",
    "相似度",
    "检索",
    "梯度下降",
    "动力学",
    "特征值",
    "正交矩阵",
    "低秩近似",
    "外推性",
    "长度泛化",
    "激活函数",
    "初始化",
    "收敛速度",
    "泛化能力",
    "对比学习",
    "蒸馏",
    "重参数化",
    "变分推断",
    "能量函数",
    "马尔可夫链",
    "随机过程",
    "傅里叶变换",
)
VERBS = (
    "计算",
    "推导",
    "证明",
    "优化",
    "训练",
    "估计",
    "近似",
    "构造",
    "引入",
    "得到",
    "分析",
    "比较",
    "考虑",
    "改进",
    "简化",
    "刻画",
    "约束",
    "解释",
    "验证",
    "实现",
)
CONNECTIVES = (
    "因此",
    "然而",
    "事实上",
    "也就是说",
    "不难发现",
    "换句话说",
    "具体来说",
    "首先",
    "其次",
    "最后",
    "所以",
    "可以看到",
    "直观来看",
    "更一般地",
    "进一步地",
    "反过来",
    "同理",
    "此外",
)
ADVERBS = ("简单地", "有效地", "显然", "近似地", "严格地", "自然地", "大致", "直接")
ENGLISH = (
    "BERT",
    "GPT",
    "Transformer",
    "softmax",
    "Adam",
    "SGD",
    "LayerNorm",
    "RoPE",
    "VAE",
    "GAN",
    "token",
    "Embedding",
    "Attention",
    "Dropout",
    "ReLU",
    "MLM",
    "Seq2Seq",
    "Keras",
    "PyTorch",
    "bert4keras",
    "baseline",
    "Word2Vec",
    "CNN",
    "RNN",
    "LSTM",
    "T5",
    "RoBERTa",
    "GELU",
    "Muon",
    "AdamW",
    "Flow",
    "DDPM",
    "ODE",
    "KL散度",
    "Mask",
    "Batch Size",
    "Warmup",
    "Post Norm",
)
INLINE_TEX = (
    r"$x$",
    r"$\boldsymbol{x}$",
    r"$p(\boldsymbol{x}|\boldsymbol{z})$",
    r"$\mathcal{L}$",
    r"$n > 8\log N$",
    r"$\theta_t$",
    r"$\sum_{i=1}^n x_i$",
    r"$W_q, W_k$",
    r"$d=768$",
    r"$\mathbb{E}_{x\sim p(x)}[f(x)]$",
    r"$\mathcal{O}(n^2)$",
    r"$\alpha$",
    r"$\lambda\to 0$",
    r"$q(\boldsymbol{z})$",
    r"$\Vert \boldsymbol{x}\Vert_2$",
    r"$\nabla_{\theta} f$",
    r"$N$",
    r"$e^{i\theta}$",
    r"$\boldsymbol{W}\in\mathbb{R}^{n\times m}$",
    r"$t\in[0,1]$",
    r"$\text{softmax}(\boldsymbol{s})$",
    r"$\epsilon_t$",
    r"$h_i^{(l)}$",
    r"$\eta$",
    r"$1/\sqrt{d}$",
    r"$x_1,x_2,\cdots,x_n$",
    r"$\langle \boldsymbol{q}, \boldsymbol{k}\rangle$",
)
DISPLAY_TEX = (
    r"\mathcal{L} = \mathbb{E}_{x\sim p(x)}\left[-\log q(x)\right]",
    r"p(\boldsymbol{x}) = \int p(\boldsymbol{x}|\boldsymbol{z})p(\boldsymbol{z})d\boldsymbol{z}",
    r"\boldsymbol{\theta}_{t+1} = \boldsymbol{\theta}_t - \eta\nabla_{\boldsymbol{\theta}}"
    r"\mathcal{L}(\boldsymbol{\theta}_t)",
    r"\text{Attention}(\boldsymbol{Q},\boldsymbol{K},\boldsymbol{V}) = \text{softmax}\left("
    r"\frac{\boldsymbol{Q}\boldsymbol{K}^{\top}}{\sqrt{d}}\right)\boldsymbol{V}",
    r"n > 8.33\log N",
    r"KL\big(p(x)\Vert q(x)\big) = \sum_x p(x)\log\frac{p(x)}{q(x)}",
    r"\frac{d\boldsymbol{x}_t}{dt} = \boldsymbol{f}_t(\boldsymbol{x}_t) - \frac{1}{2}g_t^2"
    r"\nabla_{\boldsymbol{x}_t}\log p_t(\boldsymbol{x}_t)",
    r"e^{i\theta} = \cos\theta + i\sin\theta",
    r"\Vert \boldsymbol{W}\boldsymbol{x}\Vert_2 \leq \Vert\boldsymbol{W}\Vert_2\Vert"
    r"\boldsymbol{x}\Vert_2",
)
ALIGNED_LINES = (
    r"\mathcal{L} =&\, \mathbb{E}_{x}\left[\log p(x)\right] \\",
    r"=&\, \sum_{i=1}^n \log p(x_i) - \frac{1}{2}\Vert\boldsymbol{z}\Vert^2 \\",
    r"\approx&\, -\frac{n}{2}\log 2\pi\sigma^2 \\",
    r"\leq&\, \int q(z)\log\frac{p(x,z)}{q(z)}dz \\",
    r"=&\, \boldsymbol{x}^{\top}\boldsymbol{W}\boldsymbol{x} + b \\",
)
HEADINGS = (
    "问题背景",
    "模型介绍",
    "实验结果",
    "文章小结",
    "理论分析",
    "基本思路",
    "简单推导",
    "一些讨论",
    "延伸思考",
    "参考实现",
    "相关工作",
    "方法概述",
)
CN_NUMBERS = "一二三四五六七八九十"

# Sidebar text a saved page carries between its posts and the next page's posts.
CHROME_BLOCKS = (
    (
        "最近评论",
        "Lzy: 请问苏神,公式(3)里的期望是对谁求的?",
        "苏剑林: 对$x$求。",
        "nbsp: 感谢分享,受益匪浅!",
    ),
    ("友情链接", "Cool Papers", "数学研发论坛", "Mathematics Stack Exchange"),
    ("随机文章", "从动力学角度看优化算法(一)", "漫谈重参数:从正态分布到Gumbel Softmax"),
)


@dataclass(frozen=True, slots=True)
class ExpectedPost:
    """A generated post as the parser must read it back."""

    title: str
    author: str
    date: dt.date
    readers: int
    paragraphs: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class GeneratedCorpus:
    text: str
    posts: tuple[ExpectedPost, ...]
    chrome_lines: tuple[int, ...]
    """1-based numbers of the sidebar lines inserted between pages (each must be diagnosed)."""


Vocabulary = Literal["narrow", "wide"]
WIDE_CHARACTERS = 4000
"""Distinct Han characters of the wide vocabulary (a 12 M-character Chinese archive has several
thousand; the narrow vocabulary has about 300)."""
WIDE_WORDS = 20000


class _Lexicon:
    """Words of 2-4 Han characters drawn from WIDE_CHARACTERS characters, characters and words
    both Zipf-distributed as in real text; the same for every seed."""

    def __init__(self) -> None:
        rng = random.Random(20091)
        chars = rng.sample([chr(cp) for cp in range(0x4E00, 0x9FA6)], WIDE_CHARACTERS)
        char_weights = list(itertools.accumulate(1.0 / (rank + 10) for rank in range(len(chars))))
        self.words: list[str] = []
        for size in rng.choices((2, 3, 4), weights=(0.6, 0.25, 0.15), k=WIDE_WORDS):
            self.words.append("".join(rng.choices(chars, cum_weights=char_weights, k=size)))
        self.cumulative = list(itertools.accumulate(1.0 / (rank + 5) for rank in range(WIDE_WORDS)))

    def pick(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)


class _Writer:
    """Builds sentences from pools prepared once per seed, so generation stays fast. The wide
    vocabulary mixes lexicon words into every sentence and draws from a larger pool."""

    def __init__(self, rng: random.Random, vocabulary: Vocabulary = "narrow") -> None:
        self.rng = rng
        self.lexicon = _Lexicon() if vocabulary == "wide" else None
        pool = 4000 if self.lexicon is None else 60000
        self.sentences = [self._sentence() for _ in range(pool)]

    def _sentence(self) -> str:
        sentence = self._template()
        if self.lexicon is None:
            return sentence
        # More lexicon words around the template: about half the Han text is from the lexicon.
        words = self.lexicon.pick(self.rng, self.rng.randint(0, 2))
        cut = self.rng.randint(0, len(words))
        return "".join(words[:cut]) + sentence.rstrip("。?") + "".join(words[cut:]) + "。"

    def _template(self) -> str:
        r = self.rng
        n1, n2, n3 = r.choice(NOUNS), r.choice(NOUNS), r.choice(NOUNS)
        if self.lexicon is not None:  # half the nouns from the lexicon
            n1, n3 = self.lexicon.pick(r, 2)
        verb, eng, conn, adv = (
            r.choice(VERBS),
            r.choice(ENGLISH),
            r.choice(CONNECTIVES),
            r.choice(ADVERBS),
        )
        tex, tex2 = r.choice(INLINE_TEX), r.choice(INLINE_TEX)
        templates = (
            f"{conn},{n1}的{n2}可以{adv}{verb}为{n3}。",
            f"对于{eng}来说,{n1}和{n2}之间的关系并不{r.choice(('明显', '简单', '直接'))}。",
            f"记{tex}为{n1},那么{tex2}就是对应的{n2}。",
            f"{conn},我们{verb}了{eng}中的{n1},结果表明{n2}的作用不可忽视。",
            f"当{tex}时,{n1}会{adv}退化为{n2}。",
            f"这里的{n1}指的是{eng}的{n2},其中{tex}是{n3}。",
            f"笔者曾在{eng}上{verb}过这种{n1},效果比{n2}要好一些。",
            f"为什么要{verb}{n1}呢?原因在于{n2}决定了{n3}的上界。",
            f"{conn},{tex}意味着{n1}与{n2}是等价的。",
            f"在{eng}和{r.choice(ENGLISH)}的对比中,{n1}的{verb}方式是关键。",
        )
        return r.choice(templates)

    def paragraph(self) -> str:
        r = self.rng
        return "".join(r.choices(self.sentences, k=r.randint(2, 7)))

    def display(self, slug: str, k: int) -> str:
        r = self.rng
        label = f"\\label{{eq:{slug}-{k}}}"
        kind = r.random()
        if kind < 0.7:
            return f"\\begin{{equation}}{r.choice(DISPLAY_TEX)}{label}\\end{{equation}}"
        if kind < 0.85:
            rows = r.sample(ALIGNED_LINES, r.randint(2, 4))
            rows[-1] = rows[-1].removesuffix(" \\\\")
            return "\n".join(
                [
                    "\\begin{equation}\\begin{aligned}",
                    *rows,
                    f"\\end{{aligned}}{label}\\end{{equation}}",
                ]
            )
        if kind < 0.93:
            return "\n".join(["$$", r.choice(DISPLAY_TEX), "$$"])
        rows = r.sample(ALIGNED_LINES, 2)
        return "\n".join(["\\begin{align}", rows[0], rows[1].removesuffix(" \\\\"), "\\end{align}"])

    def title(self) -> str:
        r = self.rng
        n1, n2, eng = r.choice(NOUNS), r.choice(NOUNS), r.choice(ENGLISH)
        return r.choice(
            (
                f"从{n1}到{n2}:{eng}的{r.choice(VERBS)}之路",
                f"{n1}漫谈({r.choice(CN_NUMBERS)}):{n2}应该怎么{r.choice(VERBS)}?",
                f"浅谈{n1}与{n2}",
                f"{eng}中的{n1}:一个{r.choice(('简单', '直观', '新的'))}视角",
                f"为什么{eng}需要{n1}?",
                f"{n1}的{n2}分析",
            )
        )


def generate_corpus(
    n_posts: int, seed: int = 0, *, chrome_every: int = 0, vocabulary: Vocabulary = "narrow"
) -> GeneratedCorpus:
    """A dump of n_posts posts and the posts it contains (~16 KB of UTF-8 per post on average).

    chrome_every > 0 inserts a block of sidebar text after every that-many posts, as when several
    saved pages are concatenated. vocabulary "narrow" writes from about 300 Han characters and a
    pool of 4,000 sentences (fine for parsing and rendering, but its character pairs are far
    more repetitive than real text); "wide" adds a lexicon of WIDE_CHARACTERS characters, for
    benchmarks whose speed depends on how varied the text is (search).
    """
    rng = random.Random(seed)
    writer = _Writer(rng, vocabulary)
    lines: list[str] = []
    posts: list[ExpectedPost] = []
    chrome_lines: list[int] = []
    seen: set[tuple[str, dt.date]] = set()
    start, span = (
        dt.date(2009, 1, 1).toordinal(),
        (dt.date(2025, 12, 31) - dt.date(2009, 1, 1)).days,
    )
    for index in range(n_posts):
        title = writer.title()
        date = dt.date.fromordinal(start + rng.randint(0, span))
        while (title, date) in seen:
            title = f"{title}(续)"
        seen.add((title, date))
        readers = int(10 ** rng.uniform(3, 5.3))
        paragraphs: list[str] = []
        k = 0
        for _ in range(rng.randint(32, 78)):
            roll = rng.random()
            if roll < 0.16 and paragraphs:
                k += 1
                paragraphs.append(writer.display(f"{index}", k))
            elif roll < 0.2:
                paragraphs.append(rng.choice(HEADINGS))
            elif roll < 0.22:
                paragraphs.append(f"{rng.randint(1, 5)}. {writer.paragraph()}")
            elif roll < 0.23:
                paragraphs.append(f"By the way,{writer.paragraph()}")
            else:
                paragraphs.append(writer.paragraph())
        if paragraphs[0].startswith("By"):
            paragraphs[0] = writer.paragraph()
        posts.append(ExpectedPost(title, AUTHOR, date, readers, tuple(paragraphs), len(lines) + 1))
        lines.append(title)
        lines.append(f"By {AUTHOR} | {date.isoformat()} | {readers}位读者 | 引用{paragraphs[0]}")
        for paragraph in paragraphs[1:]:
            lines.extend(paragraph.split("\n"))
        if chrome_every and (index + 1) % chrome_every == 0:
            block = rng.choice(CHROME_BLOCKS)
            chrome_lines.extend(range(len(lines) + 1, len(lines) + 1 + len(block)))
            lines.extend(block)
    return GeneratedCorpus("\n".join(lines) + "\n", tuple(posts), tuple(chrome_lines))


def generate_dump(n_posts: int, seed: int = 0, vocabulary: Vocabulary = "narrow") -> str:
    """The text of a homepage dump with n_posts realistic posts; the same for the same seed."""
    return generate_corpus(n_posts, seed, vocabulary=vocabulary).text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reader.core.corpus",
        description="Write a generated homepage dump (realistic Chinese posts with TeX).",
    )
    parser.add_argument("n_posts", type=int, help="number of posts")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--chrome-every",
        type=int,
        default=0,
        help="insert sidebar text after every N posts (default: never)",
    )
    parser.add_argument(
        "--vocabulary",
        choices=("narrow", "wide"),
        default="narrow",
        help="narrow: ~300 Han characters (default); wide: 4,000 (see generate_corpus)",
    )
    parser.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    if args.n_posts < 0:
        parser.error("n_posts must be 0 or more")
    text = generate_corpus(
        args.n_posts, args.seed, chrome_every=args.chrome_every, vocabulary=args.vocabulary
    ).text
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        print(
            f"wrote {args.n_posts} posts, {len(text.encode('utf-8')):,} bytes to {args.output}",
            file=sys.stderr,
        )
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
