"""Markdown: what authors write comes out as they meant it, sanitized, in time linear in the
text whatever its shape (the renderer runs at indexing, in the editor's preview and in the
worker for other instances' campaigns)."""

import time

import pytest

from chaton.core.markup import render_markdown

HOSTILE = {
    "unclosed [": lambda n: "[" * n,
    "unclosed [a": lambda n: "[a" * (n // 2),
    "unclosed ![": lambda n: "![" * (n // 2),
    "[](": lambda n: "[](" * (n // 3),
    "nested brackets": lambda n: "[" * (n // 2) + "]" * (n // 2),
    "emphasis": lambda n: "*a" * (n // 2),
    "underscores": lambda n: "_a" * (n // 2),
    "backticks": lambda n: "`" * n,
    "angle brackets": lambda n: "<a" * (n // 2),
    "block quotes": lambda n: ">" * n,
    "list markers": lambda n: "- " * (n // 2),
    "footnote refs": lambda n: "[^a]" * (n // 4),
    "html tags": lambda n: "<div>" * (n // 5),
}


@pytest.mark.parametrize("shape", HOSTILE)
def test_pathological_text_renders_in_linear_time(shape):
    """200,000 characters: a quadratic renderer takes minutes to hours on these (Python-Markdown
    took 12 s for 10,000 unclosed brackets); a linear one a fraction of a second. The bound is
    generous for slow machines: this test is a guard, the measurement is bench/render.py."""
    text = HOSTILE[shape](200_000)
    started = time.perf_counter()
    render_markdown(text)
    assert time.perf_counter() - started < 2.0


def test_what_authors_write_comes_out_as_meant():
    html = render_markdown("Un **texte** avec ~~une erreur~~ et [un lien](https://example.org).\n\n"
                           "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                           "- un\n- deux\n\n"
                           "Une note[^1].\n\n[^1]: La note.\n\n"
                           "![Plan](images/plan.png)\n\nhttps://example.org/nu")
    assert "<strong>texte</strong>" in html and "<del>une erreur</del>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">un lien</a>' in html
    assert "<table>" in html and "<td>1</td>" in html and "<li>deux</li>" in html
    assert "La note." in html
    assert '<img src="images/plan.png" alt="Plan">' in html  # relative: the media base decides
    assert 'href="https://example.org/nu"' in html  # a bare address becomes a link


def test_raw_html_is_sanitized_and_images_stay_on_the_instance():
    html = render_markdown('<script>alert(1)</script><p onclick="x()">ok</p>'
                           '<img src="https://tracker.example/p.gif"><img src="/\\evil.example/x.png">'
                           "[x](javascript:alert(1))", media_base="/org/media")
    assert "<script" not in html and "onclick" not in html and 'href="javascript' not in html
    assert "tracker.example" not in html and "evil.example" not in html


def test_text_nested_too_deep_is_shown_as_text():
    html = render_markdown(">" * 500 + " deep")
    assert "<blockquote>" not in html and "deep" in html
    assert render_markdown("> > quoted twice").count("<blockquote>") == 2
