"""gateway/resolvers/threads.py: which threads, messages and attachments a viewer sees
(docs/access-rules.md#item-filtering).

Each test is one request of a demo persona (docs/personas.md) against the sandbox upstreams.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import msgspec
import pytest

from gateway.core.errors import BadUserInput, Forbidden
from gateway.policy.clock import OSLO
from gateway.policy.vocabulary import MessageCategory, Reason, Service, ServiceKind, Visibility
from gateway.resolvers import messaging
from gateway.resolvers.pagination import Page, encode_cursor
from gateway.resolvers.threads import (
    ThreadView,
    message_page,
    thread_by_id,
    thread_page,
    visible_attachments,
    visible_messages,
)
from sandbox import Sandbox
from sandbox.inbox import STORE
from sandbox.seed import (
    CT_SOFIE_GP,
    EMMA,
    ERIK,
    INGRID,
    JONAS,
    KARI,
    NORA,
    SOFIE,
    TH_EMMA_DIALOG,
    TH_EMMA_FULLMAKT,
    TH_EMMA_HIDDEN,
    TH_EMMA_INNKALLING,
    TH_EMMA_TIMEAVTALE,
    TH_INGRID_FASTLEGEBYTTE,
    TH_INGRID_HELSEUNDERSOKELSE,
    TH_JONAS_DIALOG,
    TH_JONAS_DIALOG_PARENT,
    TH_JONAS_GP_TIME,
    TH_JONAS_INNKALLING,
    TH_JONAS_KOMMUNE,
    TH_NORA_FULLMAKT,
)
from tests.request.factory import Contexts

NEAR_HOME = {ServiceKind.GP, ServiceKind.MUNICIPAL}


def thread_ids(page: Page[ThreadView]) -> list[str]:
    return [view.record.id for view in page.items]


async def everything(
    contexts: Contexts,
    viewer: str,
    subject_id: str,
    *,
    category: MessageCategory | None = None,
    archived: bool | None = None,
) -> Page[ThreadView]:
    """All of the subject's threads the viewer sees, in one page, in a request of its own."""
    ctx, subject = await contexts.subject(viewer, subject_id)
    return await thread_page(ctx, subject, first=100, after=None, category=category, archived=archived)


async def test_a_parent_of_jonas_who_is_14_sees_only_gp_and_municipal_threads(contexts: Contexts) -> None:
    ctx, jonas = await contexts.subject(KARI, JONAS)
    upstream = await ctx.loaders.threads_by_owner.load(JONAS)
    page = await thread_page(ctx, jonas, first=100, after=None, category=None, archived=None)
    # 12-15: hospital threads never (innkalling, hospital-time, forlop with a hospital coordinator),
    # and DIGITAL_DIALOG is NONE (dialog, dialog-parent, kommune): the GP appointment notice is left.
    assert thread_ids(page) == [TH_JONAS_GP_TIME]
    assert {view.kind for view in page.items} <= NEAR_HOME
    assert (page.total_count, page.hidden_count) == (1, len(upstream) - 1) == (1, 6)
    assert page.items[0].listing is Visibility.PARTIAL


async def test_a_thread_whose_only_message_is_hidden_from_guardians_is_absent_for_a_parent_of_emma(
    contexts: Contexts,
) -> None:
    ctx, emma = await contexts.subject(KARI, EMMA)
    assert TH_EMMA_HIDDEN in {t.id for t in await ctx.loaders.threads_by_owner.load(EMMA)}
    page = await thread_page(ctx, emma, first=100, after=None, category=None, archived=None)
    assert TH_EMMA_HIDDEN not in thread_ids(page)
    # Asked for by id it is as absent as an unknown id; a visible thread of hers is found.
    assert await thread_by_id(ctx, emma, TH_EMMA_HIDDEN) is None
    assert await thread_by_id(ctx, emma, "th-does-not-exist") is None
    found = await thread_by_id(ctx, emma, TH_EMMA_DIALOG)
    assert found is not None and found.record.id == TH_EMMA_DIALOG
    # The hidden thread and the FULLMAKT notice (NONE for parents) are counted, not shown.
    assert TH_EMMA_FULLMAKT not in thread_ids(page)
    assert (page.total_count, page.hidden_count) == (3, 2)


async def test_threads_are_newest_first_by_their_visible_messages(contexts: Contexts) -> None:
    page = await everything(contexts, KARI, EMMA)
    assert thread_ids(page) == [TH_EMMA_TIMEAVTALE, TH_EMMA_INNKALLING, TH_EMMA_DIALOG]
    ctx, kari = await contexts.subject(KARI, KARI)
    walked: list[ThreadView] = []
    after = None
    for _ in range(10):  # bounded: a cursor that does not advance fails, never hangs
        part = await thread_page(ctx, kari, first=25, after=after, category=None, archived=None)
        walked += [view for view in part.items]
        if not part.has_next_page:
            break
        after = part.end_cursor
    assert not part.has_next_page
    assert len(walked) == len({v.record.id for v in walked}) == part.total_count >= 60
    keys = [(v.last_message_at, v.record.id) for v in walked]
    assert keys == sorted(keys, reverse=True)


async def test_a_withheld_message_does_not_show_through_the_threads_date_or_unread_count(contexts: Contexts) -> None:
    ctx, emma = await contexts.subject(KARI, EMMA)
    view = await thread_by_id(ctx, emma, TH_EMMA_INNKALLING)
    assert view is not None and view.messages is not None
    # Upstream: the hidden, unread message of 22 October is the latest.
    assert view.record.last_message_at == dt.datetime(2026, 10, 22, 14, 0, tzinfo=OSLO)
    assert view.record.unread_count == 1
    assert view.last_message_at == dt.datetime(2026, 10, 20, 11, 0, tzinfo=OSLO)
    assert view.unread_count == 0
    messages = message_page(view, await visible_messages(ctx, view), first=None, after=None)
    assert [m.hidden_from_guardian for m in messages.items] == [False]
    assert (messages.total_count, messages.hidden_count) == (1, 1)


async def test_filters_by_category_and_archived(contexts: Contexts) -> None:
    timeavtale = await everything(contexts, KARI, KARI, category=MessageCategory.TIMEAVTALE)
    assert timeavtale.items and {v.record.category for v in timeavtale.items} == {MessageCategory.TIMEAVTALE}
    archived = await everything(contexts, KARI, KARI, archived=True)
    active = await everything(contexts, KARI, KARI, archived=False)
    assert archived.items and all(v.record.archived for v in archived.items)
    assert not any(v.record.archived for v in active.items)
    assert archived.total_count + active.total_count == (await everything(contexts, KARI, KARI)).total_count


async def test_another_persons_thread_is_absent(contexts: Contexts) -> None:
    ctx, emma = await contexts.subject(KARI, EMMA)
    assert await thread_by_id(ctx, emma, TH_JONAS_GP_TIME) is None
    ctx, kari = await contexts.subject(KARI, KARI)
    assert await thread_by_id(ctx, kari, TH_EMMA_DIALOG) is None


async def test_youth_access_shows_near_home_dialogue_but_nothing_a_parent_wrote(contexts: Contexts) -> None:
    page = await everything(contexts, JONAS, JONAS)
    assert thread_ids(page) == [TH_JONAS_GP_TIME, TH_JONAS_DIALOG, TH_JONAS_KOMMUNE]
    assert TH_JONAS_DIALOG_PARENT not in thread_ids(page)  # Kari wrote it on his behalf
    assert TH_JONAS_INNKALLING not in thread_ids(page)  # a hospital's
    assert page.hidden_count == 4


async def test_consent_basis_and_a_confidential_address_withhold_threads_of_other_services(
    contexts: Contexts,
) -> None:
    ingrid = await everything(contexts, INGRID, INGRID)
    assert set(thread_ids(ingrid)) == {TH_INGRID_FASTLEGEBYTTE, TH_INGRID_HELSEUNDERSOKELSE}
    assert ingrid.hidden_count == 4
    # Nora (FORTROLIG, BASIS_PLUS): no FULLMAKT notice at a confidential address, no GP dialogue (needs FULL).
    nora = await everything(contexts, NORA, NORA)
    assert thread_ids(nora) == ["th-nora-helseundersokelse", "th-nora-fastlegebytte"]
    assert TH_NORA_FULLMAKT not in thread_ids(nora) and nora.hidden_count == 2


async def test_the_inbox_is_forbidden_where_innboks_is_not_available(contexts: Contexts) -> None:
    ctx, ingrid = await contexts.subject(ERIK, INGRID)  # a fullmakt for area 1 only; INNBOKS is area 3
    with pytest.raises(Forbidden) as exc:
        await thread_page(ctx, ingrid, first=10, after=None, category=None, archived=None)
    assert exc.value.reason is Reason.PROXY_SCOPE


async def test_paging_arguments_are_checked_before_any_upstream_call(contexts: Contexts, sandbox: Sandbox) -> None:
    ctx, kari = await contexts.subject(KARI, KARI)
    sandbox.reset()
    with pytest.raises(BadUserInput) as exc:
        await thread_page(ctx, kari, first=101, after=None, category=None, archived=None)
    assert exc.value.extensions == {"code": "BAD_USER_INPUT", "argument": "first"}
    assert sum(sandbox.total_requests().values()) == 0
    message_cursor = encode_cursor("Message", ("2026-01-01T00:00:00.000000Z", "msg-x"))
    with pytest.raises(BadUserInput) as exc:
        await thread_page(ctx, kari, first=10, after=message_cursor, category=None, archived=None)
    assert exc.value.extensions == {"code": "BAD_USER_INPUT", "argument": "after"}


async def test_messages_are_judged_with_one_inbox_call_per_level(contexts: Contexts, sandbox: Sandbox) -> None:
    ctx, emma = await contexts.subject(KARI, EMMA)
    sandbox.reset()
    await thread_page(ctx, emma, first=100, after=None, category=None, archived=None)
    assert sandbox.control("inbox").counts == {"GET /threads": 1, "GET /messages": 1}
    # Self access too: a thread a parent wrote for the person as a child is never theirs to see
    # (docs/access-rules.md#threads-and-messages), and only the messages say who wrote; one call for all of them.
    ctx, kari = await contexts.subject(KARI, KARI)
    sandbox.reset()
    await thread_page(ctx, kari, first=100, after=None, category=None, archived=None)
    assert sandbox.control("inbox").counts == {"GET /threads": 1, "GET /messages": 1}


async def test_messages_are_newest_first_and_page_by_cursor(contexts: Contexts) -> None:
    ctx, kari = await contexts.subject(KARI, KARI)
    view = await thread_by_id(ctx, kari, "th-kari-002")  # four messages
    assert view is not None
    first = message_page(view, await visible_messages(ctx, view), first=3, after=None)
    rest = message_page(view, await visible_messages(ctx, view), first=3, after=first.end_cursor)
    sent = [m.sent_at for m in first.items] + [m.sent_at for m in rest.items]
    assert len(sent) == first.total_count == 4 and sent == sorted(sent, reverse=True)
    assert first.has_next_page and not rest.has_next_page and rest.hidden_count == 0
    with pytest.raises(BadUserInput):
        message_page(view, await visible_messages(ctx, view), first=3, after=encode_cursor("Thread", ("x", "y")))


async def test_attachments_are_withheld_from_a_parent_of_a_child_of_12_to_15(contexts: Contexts) -> None:
    ctx, jonas = await contexts.subject(KARI, JONAS)
    view = await thread_by_id(ctx, jonas, TH_JONAS_GP_TIME)
    assert view is not None and view.messages is not None and view.kind is ServiceKind.GP
    # No message Kari may see of Jonas's carries an attachment in the seed: give the GP's notice one,
    # so the only rule left to withhold it is PASIENTJOURNAL (NONE for a parent of a 12-15-year-old).
    (letter,) = await ctx.loaders.messages_by_thread.load(TH_JONAS_INNKALLING)
    assert letter.attachments
    notice = msgspec.structs.replace(view.messages[0], attachments=letter.attachments)
    assert visible_attachments(jonas, view, notice) == ([], 1)
    assert visible_attachments(jonas, view, view.messages[0]) == ([], 0)


async def test_attachments_show_to_a_parent_of_a_child_under_12_and_to_the_person(contexts: Contexts) -> None:
    ctx, emma = await contexts.subject(KARI, EMMA)
    view = await thread_by_id(ctx, emma, TH_EMMA_DIALOG)
    assert view is not None and view.messages is not None
    with_attachment = next(m for m in view.messages if m.attachments)
    assert visible_attachments(emma, view, with_attachment) == (list(with_attachment.attachments), 0)
    ctx, kari = await contexts.subject(KARI, KARI)
    view = await thread_by_id(ctx, kari, "th-kari-003")
    assert view is not None
    (first, *_) = sorted(await ctx.loaders.messages_by_thread.load("th-kari-003"), key=lambda m: m.sent_at)
    assert visible_attachments(kari, view, first) == (list(first.attachments), 0) and first.attachments


async def test_a_thread_a_parent_started_for_a_child_stays_hidden_from_the_child_at_16_and_over(
    contexts: Contexts, sandbox: Sandbox
) -> None:
    # June 2021: Sofie is 11, and Kari writes to her GP for her (the ServiceGate's check, then the write).
    then = dt.datetime(2021, 6, 1, 12, 0, tzinfo=OSLO)
    ctx, sofie = await contexts.subject(KARI, SOFIE, now=then)
    assert ctx.decisions.service(sofie, Service.DIGITAL_DIALOG) is Visibility.FULL
    sent = await messaging.send_message(
        ctx,
        "SendForSofie",
        person_id=SOFIE,
        contact_id=CT_SOFIE_GP,
        subject_line="Attest til svømmeklubben",
        body="Sofie trenger en helseattest.",
        idempotency_key="sofie-attest",
    )
    assert not sent.errors and sent.message is not None and sent.message.sent_on_behalf_of == KARI
    # The store stamps a message with its own clock: as the store of June 2021 would have.
    messages = sandbox.apps["inbox"][STORE].messages
    messages[sent.message.id] = dataclasses.replace(messages[sent.message.id], sent_at=then)
    # Today Sofie is 17 and reads her own inbox.
    page = await everything(contexts, SOFIE, SOFIE)
    subjects = [view.record.subject for view in page.items]
    assert "Attest til svømmeklubben" not in subjects
    assert page.hidden_count == 1
