"""The documents in docs/ are the project's design: every reference to them resolves, and nothing cites
the design brief that used to live outside the repository.

- Every `docs/<path>` written in the code, tests, benchmarks, web app, scripts, README.md, the SDL,
  the changelog and docs/ itself names a file or directory that exists; one with `#anchor` names a
  Markdown file that has a heading whose GitHub slug is the anchor (GitHub's rule: lower case,
  punctuation but `-` and `_` dropped, spaces as `-`, a repeated heading gets `-1`, `-2`, ...).
- In the Markdown files of docs/ and in README.md, every relative link resolves the same way,
  relative to the file that holds it.
- In the documents at the top of docs/, every repository path in backticks (`gateway/policy/access.py`,
  or `policy/access.py` under gateway/) exists, so that the documents follow the tree when modules move.
- No file of the repository cites the old brief: its two files by name, or its numbered sections.

`_problems` does the looking, for any root; the last tests run it on a small tree with broken
references, so that this test is known to fail when a reference breaks.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Where references to the documents are looked for.
REFERRING = ("gateway", "sandbox", "bench", "tests", "web/src", "scripts", "docs")
REFERRING_FILES = ("README.md", "CHANGELOG.md", "schema.graphql")
# Vendored bundles, not ours to cite anything in.
VENDORED = re.compile(r"\.(min|umd)\.(js|css)$")


# `docs/...`, not inside a URL or a longer path (apollographql.com/docs/... is not ours).
DOCS_REFERENCE = re.compile(r"(?<![\w/.-])docs/[\w./-]*(?:#[\w-]+)?")
MARKDOWN_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
BACKTICKED_PATH = re.compile(r"`([\w./<>*{}-]+/[\w./<>*{}-]+)`")
PATH_SUFFIXES = (".py", ".md", ".yaml", ".yml", ".json", ".ts", ".tsx", ".mjs", ".graphql", ".toml", ".sh")
# The old brief's files, named; and its numbered sections (the name in capitals, then a section number).
OLD_BRIEF = (
    re.compile(r"\b(?:DESIGN|STYLE)\.md\b"),
    re.compile(r"\bDESIGN(?:'s)?\s+(?:section\s+)?\d"),
)


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading (before duplicates are numbered)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts by its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """The anchors of a Markdown document's ATX headings; headings inside fenced code are not headings."""
    found: set[str] = set()
    seen: dict[str, int] = {}
    fence: str | None = None
    for line in markdown.splitlines():
        stripped = line.lstrip()
        marker = stripped[:3]
        if marker in ("```", "~~~"):
            fence = None if fence == marker else (fence or marker)
            continue
        if fence is not None:
            continue
        match = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        slug = github_slug(match.group(1))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def _files(root: Path) -> list[Path]:
    """The repository's files: what git tracks or would track; every file where git is not at hand."""
    try:
        if not (root / ".git").exists():
            raise FileNotFoundError(root / ".git")
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout.decode()
        paths = [root / name for name in listed.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "node_modules", "__pycache__", "dist", "test-artifacts"}
        paths = [p for p in root.rglob("*") if not skip.intersection(p.relative_to(root).parts)]
    return sorted(p for p in paths if p.is_file() and not VENDORED.search(p.name))


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # binary


def _referring(root: Path, files: Iterable[Path]) -> Iterator[Path]:
    for path in files:
        relative = path.relative_to(root).as_posix()
        if relative in REFERRING_FILES or any(relative.startswith(f"{top}/") for top in REFERRING):
            yield path


def _check_target(root: Path, target: Path, anchor: str | None, named: str) -> str | None:
    """Why a reference to `target` (resolved, with `anchor`) does not resolve, or None when it does."""
    if not target.is_relative_to(root):
        return f"{named}: points outside the repository"
    relative = target.relative_to(root).as_posix()
    if not target.exists():
        return f"{named}: no such file"
    if anchor is None:
        return None
    if target.suffix != ".md":
        return f"{named}: an anchor in a file that is not Markdown"
    if anchor not in anchors(target.read_text(encoding="utf-8")):
        return f"{named}: {relative} has no heading with the anchor #{anchor}"
    return None


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def _problems(root: Path) -> list[str]:
    """Every reference under `root` that does not resolve, and every citation of the old brief."""
    problems: list[str] = []
    files = _files(root)
    texts = {path: text for path in files if (text := _text(path)) is not None}
    # (file, line, target, anchor) -> how the reference is written; a Markdown link to docs/ from
    # README.md is both a link and a `docs/` reference, and is checked once.
    references: dict[tuple[str, int, Path, str | None], str] = {}
    for path in _referring(root, texts):
        where = path.relative_to(root).as_posix()
        text = texts[path]
        for match in DOCS_REFERENCE.finditer(text):
            name, _, anchor = match.group(0).partition("#")
            target = (root / name.rstrip(".")).resolve()
            references.setdefault((where, _line(text, match.start()), target, anchor or None), match.group(0))
        if path.suffix != ".md" or not (where == "README.md" or where.startswith("docs/")):
            continue
        for match in MARKDOWN_LINK.finditer(text):
            link = match.group(1)
            if re.match(r"[a-z][a-z0-9+.-]*:", link):
                continue  # a URL (https:, mailto:)
            name, _, anchor = link.partition("#")
            target = (path.parent / name).resolve() if name else path.resolve()
            references.setdefault((where, _line(text, match.start()), target, anchor or None), f"({link})")
        if path.parent != root / "docs":
            continue
        for match in BACKTICKED_PATH.finditer(text):
            named = re.sub(r":\d+$", "", match.group(1))
            if any(c in named for c in "<>*{}") or not (named.endswith("/") or named.endswith(PATH_SUFFIXES)):
                continue  # a pattern (`sandbox/<name>.py`), or not a file's path
            if named.startswith("docs/"):
                continue  # a `docs/` reference, checked with the others
            if not ((root / named).exists() or (root / "gateway" / named).exists()):
                problems.append(
                    f"{where}:{_line(text, match.start())}: `{named}`: no such path (from the root or under gateway/)"
                )
    for (where, line, target, wanted), shown in sorted(references.items(), key=lambda item: item[0][:2]):
        problem = _check_target(root.resolve(), target, wanted, f"{where}:{line}: {shown}")
        if problem:
            problems.append(problem)
    for path, text in texts.items():
        for pattern in OLD_BRIEF:
            for match in pattern.finditer(text):
                problems.append(
                    f"{path.relative_to(root).as_posix()}:{_line(text, match.start())}: cites the old brief "
                    f"({match.group(0)!r}); cite the document in docs/ that holds the content, by file and heading"
                )
    return problems


def test_every_reference_to_the_documents_resolves_and_nothing_cites_the_old_brief() -> None:
    problems = _problems(ROOT)
    assert not problems, f"{len(problems)} broken:\n" + "\n".join(problems)


def test_the_documents_are_where_the_readme_says() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for document in ("architecture.md", "access-rules.md", "engine.md"):
        assert (ROOT / "docs" / document).is_file(), document
        assert f"docs/{document}" in readme, f"README.md does not link docs/{document}"


def test_slugs_are_githubs() -> None:
    assert github_slug("Tildelt (assigned) fullmakt") == "tildelt-assigned-fullmakt"
    assert github_slug("What Folkeregisteret's entries mean") == "what-folkeregisterets-entries-mean"
    assert github_slug("Confidential-address masking") == "confidential-address-masking"
    assert github_slug("For frontend teams: the slow parts later (`@defer`, `@stream`)") == (
        "for-frontend-teams-the-slow-parts-later-defer-stream"
    )
    assert github_slug("A [linked](https://example.org) heading") == "a-linked-heading"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n### B #\n") == {"a", "a-1", "b"}


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_broken_reference_is_found(tmp_path: Path) -> None:
    """The checker on a tree without git: the good references pass, each broken one is reported."""
    docs = "docs"
    root = _tree(
        tmp_path,
        {
            f"{docs}/rules.md": "# Rules\n\n## The catalog\n\nSee [the engine](engine.md#plans) and `gateway/a.py`.\n",
            f"{docs}/engine.md": "# Engine\n\n## Plans\n\nBack to [rules](rules.md#nothing-here); `gateway/gone.py`.\n",
            "gateway/a.py": f'"""Fine: {docs}/rules.md#the-catalog and {docs}/engine.md."""\n',
            "gateway/b.py": f'"""Broken: {docs}/missing.md, and {docs}/rules.md#no-such-heading."""\n',
            "tests/c.py": "# " + "DESIGN" + ".md 4.3 says so\n",
            "README.md": f"[Rules]({docs}/rules.md#the-catalog), [gone]({docs}/gone.md)\n",
        },
    )
    problems = _problems(root)
    assert len(problems) == 6, "\n".join(problems)
    for expected in (
        f"gateway/b.py:1: {docs}/missing.md: no such file",
        f"gateway/b.py:1: {docs}/rules.md#no-such-heading: {docs}/rules.md has no heading",
        f"{docs}/engine.md:5: (rules.md#nothing-here): {docs}/rules.md has no heading",
        f"{docs}/engine.md:5: `gateway/gone.py`: no such path",
        "tests/c.py:1: cites the old brief",
    ):
        assert any(p.startswith(expected) for p in problems), (expected, problems)
    assert any(p.startswith("README.md:1:") and "gone.md: no such file" in p for p in problems), problems
