#!/usr/bin/env bash
# Takes docs/screenshots/pane-{light,dark}.png: the reading pane alone, under Xvfb, showing a
# math-heavy post (CJK inside \text{}, numbered equations, \eqref, matrices, cases).
# Needs: scripts/setup --with-screenshot-tools (Xvfb, imagemagick; fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/../.."
export DISPLAY=:96 QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --disable-gpu"
Xvfb "$DISPLAY" -screen 0 1000x760x24 -nolisten tcp &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null || true' EXIT
sleep 1
for theme in light dark; do
  .venv/bin/python - "$theme" <<'EOF' &
import datetime as dt
import sys

from reader.ui.scheme import register_scheme

register_scheme()
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from reader.core.markdown_text import paragraphs_to_markdown  # noqa: E402
from reader.core.model import Post, post_id  # noqa: E402
from reader.ui.readingpane import ReadingPane  # noqa: E402

paragraphs = [
    r"设$\boldsymbol{x}\in\mathbb{R}^d$为输入,注意力的输出是$\text{softmax}\left(\frac{\boldsymbol{Q}\boldsymbol{K}^{\top}}{\sqrt{d}}\right)\boldsymbol{V}$。由式$\eqref{eq:entropy}$可知,当$n\to\infty$时熵趋于$\log n$。",
    r"\begin{equation}\begin{aligned}\mathcal{H}(\boldsymbol{p}) =&\, -\sum_{i=1}^n p_i \log p_i \\ \leq&\, \log n \quad \text{(当且仅当均匀分布时取等号)}\end{aligned}\label{eq:entropy}\end{equation}",
    r"其中$p_i = \frac{e^{s_i}}{\sum_j e^{s_j}}$。更一般地,我们有分段形式",
    r"\begin{equation}f(x) = \begin{cases}x^2, & x \geq 0 \\ \cancel{-x}\,\text{取负}, & x < 0\end{cases}\label{eq:piecewise}\end{equation}",
    r"以及矩阵$\begin{pmatrix}a & b\\ c & d\end{pmatrix}$的行列式$ad-bc$。将$\eqref{eq:piecewise}$代入$\eqref{eq:entropy}$,得到",
    r"$$\int_0^1 \frac{\mathrm{d}x}{1+x^2} = \frac{\pi}{4},\qquad \mathbb{E}_{x\sim p(x)}\big[\Vert \boldsymbol{x} \Vert^2\big] = \text{迹}\,(\boldsymbol{\Sigma}) + \Vert\boldsymbol{\mu}\Vert^2$$",
    r"这就是“科学空间”里常见的推导风格:中文叙述与公式交织,公式编号与引用都要和原站一致。",
]
date = dt.date(2024, 3, 1)
post = Post(id=post_id("熵与注意力", date), title="熵不变性：从Softmax注意力到公式编号", author="苏剑林",
            date=date, readers=12345, markdown=paragraphs_to_markdown(paragraphs),
            paragraphs=tuple(paragraphs), source="<screenshot>", line=1)
app = QApplication(sys.argv[:1])
pane = ReadingPane(dark=sys.argv[1] == "dark")
pane.setGeometry(0, 0, 1000, 760)
pane.show()
pane.typeset_finished.connect(lambda r: print("typeset", len(r["formulas"]), "errors", r["errors"]))
pane.show_post(post, terms=["注意力"])
QTimer.singleShot(15000, app.quit)
app.exec()
pane.deleteLater()
EOF
  pid=$!
  sleep 8
  import -window root "docs/screenshots/pane-$theme.png"
  kill "$pid" 2>/dev/null || true
  wait "$pid" || true
done
ls -l docs/screenshots/pane-*.png
