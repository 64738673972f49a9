"""Schema quality: schema.graphql is linted, and a breaking change to it must be announced in CHANGELOG.md.

The checks run in Node (tests/schema/schema_check.mjs, with graphql and @graphql-inspector/core from
package-lock.json): skipped on a laptop without Node or `npm ci`, never in CI.

Breaking-change gate. "The previous schema.graphql" is found with git:
- schema.graphql in the working tree (or index) differs from HEAD's: HEAD's version against the working tree's,
  and CHANGELOG.md must be changed (or new) in the working tree too;
- otherwise the two newest commits that touched schema.graphql (`git log -n 2 -- schema.graphql`): the older
  commit's version against the newer's, and CHANGELOG.md must change in that newer commit.
Every breaking change @graphql-inspector/core reports must then be announced in CHANGELOG.md by a bullet under a
"Breaking changes" heading that starts with the change's path in backticks (the convention at the top of
CHANGELOG.md). With no previous version (schema.graphql has one commit, or none) there is nothing to compare.
A shallow clone has no history to compare against: skipped on a laptop, a failure in CI (clone with full history).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import require_node_modules, require_tool

ROOT = Path(__file__).resolve().parents[2]
CHECK = Path(__file__).with_name("schema_check.mjs")
SCHEMA = "schema.graphql"
CHANGELOG = "CHANGELOG.md"


@pytest.fixture(scope="module")
def node() -> str:
    return require_node_modules()


def run_check(node: str, *args: str) -> tuple[int, Any]:
    """Runs schema_check.mjs; its JSON output and exit code (2, a file it could not read or build, fails here)."""
    proc = subprocess.run([node, str(CHECK), *args], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    try:
        output = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"schema_check.mjs {args[0]} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    if proc.returncode not in (0, 1):
        pytest.fail(f"schema_check.mjs {args[0]} exited {proc.returncode}: {output}\n{proc.stderr}")
    return proc.returncode, output


def lint(node: str, sdl: str) -> list[dict[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "schema.graphql"
        path.write_text(sdl)
        code, problems = run_check(node, "lint", str(path))
    assert code == (1 if problems else 0), (code, problems)
    return problems


def schema_diff(node: str, old_sdl: str, new_sdl: str) -> dict[str, list[dict[str, Any]]]:
    """{breaking, dangerous, safe}: the changes from old_sdl to new_sdl, each with type, message and path."""
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "old.graphql", Path(tmp) / "new.graphql"
        old.write_text(old_sdl)
        new.write_text(new_sdl)
        code, changes = run_check(node, "diff", str(old), str(new))
    assert code == 0, changes
    return changes


# --- The CHANGELOG.md convention and the gate's decision ---------------------------------------------------------

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET = re.compile(r"^\s*[-*+]\s+`([^`]+)`")
FENCE = re.compile(r"^\s*(```|~~~)")


def announced_breaking_paths(changelog: str) -> set[str]:
    """Paths announced as breaking: bullets under a "Breaking changes" heading (any level), each starting with
    the path in backticks, e.g. "- `Person.threads`: removed, use ...". The section ends at the next heading of
    the same or a higher level; fenced code blocks (such as the convention's example) do not count."""
    paths: set[str] = set()
    section_level: int | None = None
    fenced = False
    for line in changelog.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            continue
        if heading := HEADING.match(line):
            level = len(heading[1])
            if section_level is not None and level <= section_level:
                section_level = None
            if heading[2].strip().lower() == "breaking changes":
                section_level = level
            continue
        if section_level is not None and (bullet := BULLET.match(line)):
            paths.add(bullet[1].strip())
    return paths


def change_key(change: dict[str, Any]) -> str:
    """What CHANGELOG.md must name for a change: its path (e.g. Person.threads), else its message."""
    return change.get("path") or change["message"]


def unannounced_breaking_changes(
    changes: dict[str, list[dict[str, Any]]], changelog: str, *, changelog_changed: bool
) -> list[str]:
    """The gate's decision: breaking changes CHANGELOG.md does not announce (empty when the change may go in)."""
    breaking = changes["breaking"]
    if not breaking:
        return []
    if not changelog_changed:
        return [
            f"{change_key(c)}: {c['message']} (and CHANGELOG.md was not changed together with {SCHEMA})"
            for c in breaking
        ]
    announced = announced_breaking_paths(changelog)
    return [f"{change_key(c)}: {c['message']}" for c in breaking if change_key(c) not in announced]


def gate(node: str, old_sdl: str, new_sdl: str, changelog: str, *, changelog_changed: bool = True) -> list[str]:
    return unannounced_breaking_changes(
        schema_diff(node, old_sdl, new_sdl), changelog, changelog_changed=changelog_changed
    )


# --- Finding the previous schema.graphql with git -----------------------------------------------------------------


@dataclass
class SchemaChange:
    """The latest change to schema.graphql, and CHANGELOG.md as it stands with it."""

    description: str
    old_sdl: str
    new_sdl: str
    changelog: str
    changelog_changed: bool


def git(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
    return proc


def file_at(commit: str, name: str) -> str | None:
    proc = git("show", f"{commit}:./{name}", check=False)
    return proc.stdout if proc.returncode == 0 else None


def latest_schema_change() -> SchemaChange | None:
    """None when schema.graphql has no previous version to compare with."""
    require_tool("git", "install git and run the tests in a clone of the repository")
    if git("rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        message = "a shallow clone has no previous schema.graphql: fetch the history (`git fetch --unshallow`)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must clone with full history")
        pytest.skip(message)
    if git("rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
        return None  # no commit yet
    head_sdl = file_at("HEAD", SCHEMA)
    if head_sdl is None:
        return None  # schema.graphql is not committed yet: this is its first version
    if git("diff", "--quiet", "HEAD", "--", SCHEMA, check=False).returncode != 0:
        changelog_path = ROOT / CHANGELOG
        return SchemaChange(
            description=f"HEAD's {SCHEMA} -> the working tree's",
            old_sdl=head_sdl,
            new_sdl=(ROOT / SCHEMA).read_text(),
            changelog=changelog_path.read_text() if changelog_path.exists() else "",
            changelog_changed=bool(git("status", "--porcelain", "--", CHANGELOG).stdout.strip()),
        )
    commits = git("log", "-n", "2", "--format=%H", "--", SCHEMA).stdout.split()
    if len(commits) < 2:
        return None  # the commit that added schema.graphql
    newer, older = commits
    old_sdl, new_sdl = file_at(older, SCHEMA), file_at(newer, SCHEMA)
    assert old_sdl is not None and new_sdl is not None, (older, newer)
    changed = git("diff", "--name-only", f"{newer}^", newer, "--", CHANGELOG).stdout.split()
    return SchemaChange(
        description=f"{SCHEMA} of {older[:10]} -> of {newer[:10]}",
        old_sdl=old_sdl,
        new_sdl=new_sdl,
        changelog=file_at(newer, CHANGELOG) or "",
        changelog_changed=bool(changed),
    )


# --- The checked-in schema ----------------------------------------------------------------------------------------


def test_schema_graphql_passes_the_lint(node: str) -> None:
    problems = lint(node, (ROOT / SCHEMA).read_text())
    assert [f"{p['rule']}: {p['path']}: {p['message']}" for p in problems] == []


def test_breaking_changes_to_schema_graphql_are_announced_in_the_changelog(node: str) -> None:
    change = latest_schema_change()
    if change is None:
        return  # nothing to compare with
    unannounced = gate(
        node, change.old_sdl, change.new_sdl, change.changelog, changelog_changed=change.changelog_changed
    )
    assert unannounced == [], (
        f"breaking changes ({change.description}) need, in the same change, a bullet per path under "
        f"'### Breaking changes' in {CHANGELOG} (see the convention at its top)"
    )


# --- The linter ---------------------------------------------------------------------------------------------------

CONNECTION_TYPES = '''
"""One item of a page and its cursor."""
type ThingEdge {
  """Cursor."""
  cursor: String!
  """Item."""
  node: Thing!
}

"""Paging."""
type PageInfo {
  """More?"""
  hasNextPage: Boolean!
  """Cursor."""
  endCursor: String
}

"""A thing."""
type Thing @key(fields: "id") {
  """Id."""
  id: ID!
}
'''


def test_the_lint_catches_an_undescribed_field_a_snake_case_field_and_a_connection_without_hidden_count(
    node: str,
) -> None:
    sdl = (
        '''
extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@key"])

"""Reads."""
type Query {
  """Things."""
  things(
    """Page size."""
    first: Int
    """Cursor."""
    after: String
  ): ThingConnection!

  undescribed: String

  """Snake."""
  snake_case: String
}

"""A page of things."""
type ThingConnection {
  """Edges."""
  edges: [ThingEdge!]!
  """Nodes."""
  nodes: [Thing!]!
  """Paging."""
  pageInfo: PageInfo!
  """All."""
  totalCount: Int!
}
'''
        + CONNECTION_TYPES
    )
    problems = {(p["rule"], p["path"]) for p in lint(node, sdl)}
    assert problems == {
        ("description", "Query.undescribed"),
        ("naming", "Query.snake_case"),
        ("connection", "ThingConnection.hiddenCount"),
    }


def test_the_lint_checks_names_descriptions_and_connection_shapes(node: str) -> None:
    sdl = (
        '''
"""Reads."""
type Query {
  """Things without paging arguments."""
  things(
    undescribed: Int
  ): ThingConnection
}

"""A page of things, with the wrong types."""
type ThingConnection {
  """Edges."""
  edges: [ThingEdge]
  """Nodes."""
  nodes: [Thing!]!
  """Paging."""
  pageInfo: PageInfo!
  """All."""
  totalCount: Int
  """Hidden."""
  hiddenCount: Int!
}

"""An edge with a nullable node and no cursor."""
type OtherEdge {
  """Item."""
  node: Thing
}

"""Bad names."""
enum thing_kind {
  """Fine."""
  GOOD_ONE
  """Not upper snake case."""
  badOne
  NO_DESCRIPTION
}

scalar Undescribed

"""Marks things."""
directive @marked(Flag: Boolean) on FIELD_DEFINITION
'''
        + CONNECTION_TYPES
    )
    problems = {(p["rule"], p["path"]) for p in lint(node, sdl)}
    assert problems == {
        ("description", "Query.things(undescribed:)"),
        ("connection", "Query.things(first:)"),
        ("connection", "Query.things(after:)"),
        ("connection", "ThingConnection.edges"),
        ("connection", "ThingConnection.totalCount"),
        ("connection", "OtherEdge.cursor"),
        ("connection", "OtherEdge.node"),
        ("naming", "thing_kind"),
        ("naming", "thing_kind.badOne"),
        ("description", "thing_kind.NO_DESCRIPTION"),
        ("description", "Undescribed"),
        ("description", "@marked(Flag:)"),
        ("naming", "@marked(Flag:)"),
    }


# --- The breaking-change gate -------------------------------------------------------------------------------------

OLD = '''
"""Reads."""
type Query {
  """A."""
  a: String
  """B."""
  b: Int
}
'''
WITHOUT_B = OLD.replace('  """B."""\n  b: Int\n', "")
WITH_C = OLD.replace("  b: Int\n", '  b: Int\n  """C."""\n  c: Boolean\n')
ANNOUNCED = """# Changelog

## Unreleased

### Breaking changes

- `Query.b`: removed; nothing used it.

### Added

- `Query.c`.
"""


def test_a_removed_field_is_breaking_and_needs_a_changelog_bullet(node: str) -> None:
    changes = schema_diff(node, OLD, WITHOUT_B)
    assert [change_key(c) for c in changes["breaking"]] == ["Query.b"]
    assert gate(node, OLD, WITHOUT_B, "") == ["Query.b: Field 'b' was removed from object type 'Query'"]
    assert gate(node, OLD, WITHOUT_B, "# Changelog\n\n## Unreleased\n\n### Added\n\n- `Query.b`\n") != []
    assert gate(node, OLD, WITHOUT_B, ANNOUNCED) == []


def test_the_changelog_bullet_must_come_with_the_schema_change(node: str) -> None:
    assert gate(node, OLD, WITHOUT_B, ANNOUNCED, changelog_changed=False) != []


def test_an_added_field_is_safe(node: str) -> None:
    changes = schema_diff(node, OLD, WITH_C)
    assert changes["breaking"] == []
    assert [change_key(c) for c in changes["safe"]] == ["Query.c"]
    assert gate(node, OLD, WITH_C, "", changelog_changed=False) == []


def test_the_changelog_convention() -> None:
    text = """# Changelog

How to announce a breaking change:

```markdown
### Breaking changes

- `Example.field`: removed.
```

## Unreleased

### Breaking changes

- `Person.threads`: removed, use `Person.inbox`.
* `Thread.subject` is now nullable.
- Also see `Person.name` (not a path bullet: it does not start with the path).

### Added

- `Person.inbox`.

## 1.0.0

#### Breaking changes

- `Query.viewer`: removed.
"""
    assert announced_breaking_paths(text) == {"Person.threads", "Thread.subject", "Query.viewer"}


def test_the_checked_in_changelog_states_the_convention() -> None:
    text = (ROOT / CHANGELOG).read_text()
    assert "### Breaking changes" in text
    assert "## Unreleased" in text
