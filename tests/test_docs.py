"""The documentation keeps up with the code: settings, commands, the README's two commands.

Fast: reads Markdown files and walks the click group; no app, no database.
"""

import re
import unicodedata
from pathlib import Path

import click
import pytest

from chaton.cli import main
from chaton.core.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
RUN_COMMAND = "./install.sh && .venv/bin/chaton serve"
TEST_COMMAND = "./install.sh --dev && .venv/bin/pytest"
FENCE_RE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
INLINE_CODE_RE = re.compile(r"`([^`\n]+)`")
# `chaton` followed by words, at the start of a code line or after `bin/`
# (`chaton db upgrade`, `.venv/bin/chaton db upgrade`; not `sudo -u chaton git ...`)
COMMAND_RE = re.compile(r"(?:^|(?<=bin/))chaton((?: [a-z][a-z-]*)+)", re.M)
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")


def doc_files():
    return sorted(DOCS.rglob("*.md")) + [README]


def all_docs_text():
    return "\n".join(path.read_text(encoding="utf-8") for path in doc_files())


def walk(group, prefix=()):
    """Every command path of a click group, groups included: ('db',), ('db', 'upgrade')..."""
    for name, command in sorted(group.commands.items()):
        path = prefix + (name,)
        yield path, command
        if isinstance(command, click.Group):
            yield from walk(command, path)


def code_snippets(text):
    """Fenced code blocks and inline code spans of a Markdown text."""
    yield from FENCE_RE.findall(text)
    yield from INLINE_CODE_RE.findall(FENCE_RE.sub("", text))


def test_docs_exist():
    for name in ("install", "configuration", "content", "api", "privacy", "admin", "architecture"):
        assert (DOCS / f"{name}.md").is_file(), f"docs/{name}.md is missing"


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting):
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    env = "CHATON_" + setting.name.upper()
    row = [line for line in text.splitlines() if f"`{setting.name}`" in line and f"`{env}`" in line]
    assert row, f"docs/configuration.md: no table row for `{setting.name}` with `{env}`"


def test_every_command_is_documented():
    text = all_docs_text()
    missing = [" ".join(path) for path, _ in walk(main) if f"chaton {' '.join(path)}" not in text]
    assert not missing, f"commands not documented (as `chaton <name>`): {missing}"


def test_every_option_is_documented():
    """Each option of each command appears in docs/admin.md (`--dry-run`, `--no-worker`...)."""
    text = (DOCS / "admin.md").read_text(encoding="utf-8")
    commands = [((), main)] + list(walk(main))
    missing = []
    for path, command in commands:
        for param in command.params:
            if isinstance(param, click.Option):
                missing += [
                    f"chaton {' '.join(path)} {o}".replace("  ", " ")
                    for o in param.opts
                    if o.startswith("--") and o not in text
                ]
    assert not missing, f"options not documented in docs/admin.md: {missing}"


def resolve(words):
    """The command a `chaton w1 w2 ...` snippet names; raises LookupError when it does not exist."""
    command = main
    for word in words:
        if not isinstance(command, click.Group):
            break  # the rest are arguments of a leaf command
        if word not in command.commands:
            raise LookupError(word)
        command = command.commands[word]
    return command


def test_documented_commands_exist():
    """No command in the docs that the `chaton` command does not have (no stale docs)."""
    wrong = []
    for path in doc_files():
        for snippet in code_snippets(path.read_text(encoding="utf-8")):
            for match in COMMAND_RE.finditer(snippet):
                words = match.group(1).split()
                try:
                    resolve(words)
                except LookupError:
                    wrong.append(f"{path.relative_to(ROOT)}: chaton {' '.join(words)}")
    assert not wrong, f"unknown commands in the docs: {wrong}"


def test_readme_has_exactly_the_two_commands():
    blocks = [block.strip() for block in FENCE_RE.findall(README.read_text(encoding="utf-8"))]
    assert blocks == [RUN_COMMAND, TEST_COMMAND]


def test_ci_runs_the_readme_test_command():
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def github_anchor(heading):
    """The anchor GitHub gives a heading (lower case, punctuation dropped, spaces to dashes)."""
    text = unicodedata.normalize("NFC", heading.strip().lower())
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(path):
    text = FENCE_RE.sub("", path.read_text(encoding="utf-8"))
    return {github_anchor(m) for m in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def test_links_between_docs_resolve():
    broken = []
    for path in doc_files():
        text = INLINE_CODE_RE.sub("", FENCE_RE.sub("", path.read_text(encoding="utf-8")))
        for target in LINK_RE.findall(text):
            if re.match(r"[a-z]+:", target) or target.startswith("/"):
                continue  # web addresses and instance paths
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                broken.append(f"{path.relative_to(ROOT)}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                broken.append(f"{path.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, f"broken links: {broken}"


def test_the_documented_nginx_configuration_is_the_one_tested():
    """docs/deploy.md shows deploy/nginx-chaton.conf as it is: the file the nginx tests and
    bench/viral.py run."""
    conf = (ROOT / "deploy" / "nginx-chaton.conf").read_text()
    deploy = (DOCS / "deploy.md").read_text()
    assert f"```nginx\n{conf.rstrip()}\n```" in deploy
