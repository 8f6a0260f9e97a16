"""How long Markdown takes to render, by shape of text: prose, and inputs known to make
renderers slow (unclosed brackets, deep nesting, many emphasis marks...).

    .venv/bin/python bench/render.py [--chars 200000] [--runs 5]

Prints a Markdown table of the median time of `chaton.core.markup.render_markdown` (cmark-gfm
then the nh3 sanitizer) per shape, with the machine. With Python-Markdown installed in the
same environment (`pip install markdown`), it measures the previous renderer too, on a text
of `--old-chars` (its time grows with the square of the length: 200,000 characters would take
hours).
"""

import argparse
import os
import platform
import statistics
import time

SHAPES = {
    "prose": lambda n: ("Des **arbres** dans la [rue](https://example.org) et _de l'ombre_.\n\n"
                        * (n // 60 + 1))[:n],
    "unclosed [": lambda n: "[" * n,
    "unclosed [a": lambda n: "[a" * (n // 2),
    "unclosed ![": lambda n: "![" * (n // 2),
    "[](": lambda n: "[](" * (n // 3),
    "nested brackets": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "emphasis *a": lambda n: "*a" * (n // 2),
    "underscores _a": lambda n: "_a" * (n // 2),
    "backticks": lambda n: "`" * n,
    "angle brackets <a": lambda n: "<a" * (n // 2),
    "block quotes >": lambda n: ">" * n,
    "list markers": lambda n: "- " * (n // 2),
    "table cells": lambda n: "|a" * (n // 4) + "\n" + "|-" * (n // 4),
    "footnote refs": lambda n: "[^a]" * (n // 4),
    "entities &": lambda n: "&" * n,
    "html tags": lambda n: "<div>" * (n // 5),
}


def median_time(render, text, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        render(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--old-chars", type=int, default=4_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from chaton.core.markup import render_markdown

    try:
        import markdown

        def old(text):
            return markdown.markdown(text, extensions=["abbr", "def_list", "footnotes",
                                                       "tables", "sane_lists"])
    except ImportError:
        old = None
    render_markdown("warm up")
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; median of {args.runs} runs.\n")
    header = f"| shape | cmark-gfm + nh3, {args.chars:,} chars |"
    print(header + (f" Python-Markdown, {args.old_chars:,} chars |" if old else ""))
    print("|---|---|" + ("---|" if old else ""))
    for name, make in SHAPES.items():
        row = f"| {name} | {median_time(render_markdown, make(args.chars), args.runs):.3f} s |"
        if old:
            row += f" {median_time(old, make(args.old_chars), args.runs):.3f} s |"
        print(row)


if __name__ == "__main__":
    main()
