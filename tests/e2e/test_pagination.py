"""Cursor pagination over HTTP: every item once, in order; bad arguments are BAD_USER_INPUT."""

from __future__ import annotations

import pytest

from sandbox.seed import KARI
from tests.support import GatewayClient

THREADS = """
query($first: Int, $after: String, $archived: Boolean, $category: MessageCategory) {
  person(id: "12848510058") {
    threads(first: $first, after: $after, archived: $archived, category: $category) {
      totalCount hiddenCount
      edges { cursor node { id lastMessageAt category archived } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


async def test_walking_all_pages_yields_every_thread_once_newest_first(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    seen: list[dict] = []
    after = None
    while True:
        result = await gateway.execute(THREADS, {"first": 25, "after": after}, token=token)
        page = result["data"]["person"]["threads"]
        seen += [edge["node"] for edge in page["edges"]]
        assert page["pageInfo"]["endCursor"] == (page["edges"][-1]["cursor"] if page["edges"] else None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == page["totalCount"] >= 60
    assert len({t["id"] for t in seen}) == len(seen)
    stamps = [t["lastMessageAt"] for t in seen]
    from datetime import datetime

    assert [datetime.fromisoformat(s) for s in stamps] == sorted(
        (datetime.fromisoformat(s) for s in stamps), reverse=True
    )


async def test_filters_by_category_and_archived(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    result = await gateway.execute(THREADS, {"first": 100, "category": "TIMEAVTALE"}, token=token)
    nodes = [e["node"] for e in result["data"]["person"]["threads"]["edges"]]
    assert nodes and {n["category"] for n in nodes} == {"TIMEAVTALE"}
    archived = await gateway.execute(THREADS, {"first": 100, "archived": True}, token=token)
    active = await gateway.execute(THREADS, {"first": 100, "archived": False}, token=token)
    everything = await gateway.execute(THREADS, {"first": 100}, token=token)
    n_archived = archived["data"]["person"]["threads"]["totalCount"]
    n_active = active["data"]["person"]["threads"]["totalCount"]
    assert n_archived > 0
    assert n_archived + n_active == everything["data"]["person"]["threads"]["totalCount"]


@pytest.mark.parametrize(
    "variables",
    [{"first": 0}, {"first": 101}, {"first": -1}, {"after": "garbage!"}, {"after": "WyJNZXNzYWdlIiwieCIsInkiXQ"}],
)
async def test_bad_paging_arguments_are_bad_user_input(gateway: GatewayClient, variables: dict) -> None:
    result = await gateway.execute(THREADS, variables, as_pid=KARI)
    assert result["data"]["person"]["threads"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]


async def test_appointments_window(gateway: GatewayClient) -> None:
    query = """query($from: DateTime, $to: DateTime) { person(id: "12848510058") {
      appointments(first: 100, from: $from, to: $to) { totalCount nodes { start } } } }"""
    token = await gateway.token(KARI)
    everything = (await gateway.execute(query, {}, token=token))["data"]["person"]["appointments"]
    window = {"from": "2026-01-01T00:00:00+01:00", "to": "2026-12-31T23:59:59+01:00"}
    some = (await gateway.execute(query, window, token=token))["data"]["person"]["appointments"]
    assert 0 < some["totalCount"] < everything["totalCount"]
    assert all(window["from"][:4] == a["start"][:4] for a in some["nodes"])
    naive = await gateway.execute(query, {"from": "2026-01-01T00:00:00"}, token=token)
    assert [e["extensions"]["code"] for e in naive["errors"]] == ["BAD_USER_INPUT"]


async def test_filtered_lists_page_without_short_pages_or_repeats(gateway: GatewayClient) -> None:
    """Kari pages through Emma's inbox one thread at a time: withheld threads leave no gaps."""
    query = """query($after: String) { person(id: "15861950082") {
      threads(first: 1, after: $after) { totalCount hiddenCount nodes { id } pageInfo { hasNextPage endCursor } } } }"""
    token = await gateway.token(KARI)
    whole = await gateway.execute(query.replace("first: 1", "first: 100"), {}, token=token)
    expected = [t["id"] for t in whole["data"]["person"]["threads"]["nodes"]]
    seen, after = [], None
    while True:
        page = (await gateway.execute(query, {"after": after}, token=token))["data"]["person"]["threads"]
        assert len(page["nodes"]) == 1, "a page came back short while visible threads remained"
        assert page["hiddenCount"] == 2 and page["totalCount"] == len(expected)
        seen += [t["id"] for t in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected
