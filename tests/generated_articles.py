"""Articles made up for layout tests: sections of paragraphs of many lengths, with figures of many
heights and tables of many rows among them, as a stranger's article might have them.

`write_article(folder, seed)` writes article.md and its SVG figures. The same seed gives the same
article, so a failure can be rebuilt; the words are a small vocabulary of our own, in nonsense
sentences that hyphenate and justify like English prose.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (
    "river basin meadow sample season gauge reading station sediment channel weir flow level "
    "measure record survey winter summer autumn spring morning evening upstream downstream "
    "careful steady sudden gradual narrow shallow deeper wider colder warmer cleaner muddier "
    "showed suggested confirmed followed crossed reached lowered raised counted compared "
    "between during against toward beneath beside within without after before although "
    "nitrogen phosphorus turbidity discharge catchment floodplain tributary instrument logger "
    "observation calibration interval transect quadrat estimate variation remainder"
).split()


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random, sentences: tuple[int, int], formula: bool = False) -> str:
    text = " ".join(_sentence(rng) for _ in range(rng.randint(*sentences)))
    return text + f" The level rose as $h_{{{rng.randint(1, 9)}}}^2$ did." if formula else text


def _figure_svg(rng: random.Random, aspect: float) -> str:
    """A line chart `aspect` times as tall as it is wide."""
    width, height = 400, round(400 * aspect)
    points = " ".join(f"{x},{rng.randint(10, max(11, height - 10))}" for x in range(20, 381, 40))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<rect x="1" y="1" width="{width - 2}" height="{height - 2}" fill="none" stroke="#333"/>'
        f'<polyline points="{points}" fill="none" stroke="#236" stroke-width="3"/></svg>\n'
    )


def _table(rng: random.Random, rows: int, number: int) -> str:
    lines = ["| Station | Reading | Remark |", "|:--|--:|:--|"]
    for row in range(rows):
        lines.append(f"| S{row + 1} | {rng.randint(1, 999)}.{rng.randint(0, 9)} | {rng.choice(WORDS)} {rng.choice(WORDS)} |")
    return "\n".join(lines) + f"\n\n: Readings of survey {number} {{#tbl:t{number}}}"


def write_article(folder: Path, seed: int, paper: str | None = None, formulas: bool = False) -> Path:
    """`formulas`: each paragraph ends with an inline formula."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    blocks, figures, tables = [], 0, 0
    for section in range(rng.randint(3, 4)):
        blocks.append(f"# {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {section + 1}")
        for _ in range(rng.randint(3, 6)):
            kind = rng.random()
            if kind < 0.25:
                figures += 1
                aspect = rng.choice((0.3, 0.45, 0.6, 0.8, 1.0, 1.3))
                (folder / f"figure-{figures}.svg").write_text(_figure_svg(rng, aspect), encoding="utf-8")
                blocks.append(f"![Readings along transect {figures}.](figure-{figures}.svg)"
                              f'{{#fig:f{figures} alt="A line chart of readings along transect {figures}."}}')
            elif kind < 0.4:
                tables += 1
                blocks.append(_table(rng, rng.choice((2, 4, 7, 11, 14, 24)), tables))
            elif kind < 0.47:
                blocks.append("\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(2, 4))))
            else:
                blocks.append(_paragraph(rng, rng.choice(((1, 2), (2, 4), (4, 9))), formulas))
        blocks.append(_paragraph(rng, (2, 5), formulas))
    front = (
        "---\n"
        f"title: Generated article {seed}\n"
        "author:\n  - name: Layout Tester\n"
        "date: 2024-01-01\n"
        "lang: en-GB\n"
        + (f"paper: {paper}\n" if paper else "")
        + f"description: An article made up from seed {seed} to test page layout.\n"
        "---\n\n"
    )
    (folder / "article.md").write_text(front + "\n\n".join(blocks) + "\n", encoding="utf-8")
    return folder
