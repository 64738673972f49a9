"""The access rules end to end, over HTTP, for each demo persona of docs/personas.md."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.seed import ANDERS, EMMA, ERIK, INGRID, JONAS, KARI, LARS, MAJA, NORA, OLA, PER, SOFIE, THEA
from tests.support import GatewayClient

# Pages that hold every thread and message of these personas (at most 7 threads, 4 messages each),
# small enough for the query cost limit (README, Errors).
THREADS = """query($id: ID!) { person(id: $id) {
  threads(first: 20) {
    totalCount hiddenCount
    nodes { id category unreadCount counterpart { serviceKind }
            messages(first: 20) { totalCount hiddenCount nodes { id attachments { name } hiddenAttachmentCount } } }
  } } }"""
APPOINTMENTS = """query($id: ID!) { person(id: $id) {
  appointments(first: 100) { totalCount hiddenCount nodes { id serviceKind } } } }"""
CONTACTS = """query($id: ID!) { person(id: $id) {
  healthContacts(includeFormer: true) { id role serviceKind current } } }"""


def _errors(result: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["extensions"]["code"], e["extensions"].get("reason")) for e in result.get("errors", [])]


async def _as(gateway: GatewayClient, viewer: str, query: str, subject: str) -> dict[str, Any]:
    return await gateway.execute(query, {"id": subject}, as_pid=viewer)


async def test_kari_sees_emmas_inbox_without_the_hidden_message_and_the_fullmakt_notice(gateway: GatewayClient) -> None:
    result = await _as(gateway, KARI, THREADS, EMMA)
    assert "errors" not in result
    threads = result["data"]["person"]["threads"]
    ids = {t["id"] for t in threads["nodes"]}
    assert "th-emma-hidden" not in ids and "th-emma-fullmakt" not in ids
    assert {"th-emma-innkalling", "th-emma-dialog"} <= ids
    assert threads["hiddenCount"] == 2 and threads["totalCount"] == len(ids)
    assert all(t["category"] != "FULLMAKT" for t in threads["nodes"])
    innkalling = next(t for t in threads["nodes"] if t["id"] == "th-emma-innkalling")
    assert innkalling["messages"]["hiddenCount"] == 1 and innkalling["messages"]["totalCount"] == 1
    # Under 12, journal documents (PASIENTJOURNAL) are FULL for parents: the attachment shows.
    dialog = next(t for t in threads["nodes"] if t["id"] == "th-emma-dialog")
    assert any(m["attachments"] for m in dialog["messages"]["nodes"])


async def test_kari_sees_only_near_home_items_of_jonas_who_is_14(gateway: GatewayClient) -> None:
    threads = (await _as(gateway, KARI, THREADS, JONAS))["data"]["person"]["threads"]
    kinds = {t["counterpart"]["serviceKind"] for t in threads["nodes"]}
    assert kinds <= {"GP", "MUNICIPAL"} and threads["nodes"]
    assert "th-jonas-gp-time" in {t["id"] for t in threads["nodes"]}
    # Digital dialogue is NONE for 12-15 (docs/access-rules.md#the-service-catalog), hospital items never show.
    assert not {"th-jonas-innkalling", "th-jonas-hospital-time", "th-jonas-dialog", "th-jonas-forlop"} & {
        t["id"] for t in threads["nodes"]
    }
    assert threads["hiddenCount"] == 7 - len(threads["nodes"])
    appointments = (await _as(gateway, KARI, APPOINTMENTS, JONAS))["data"]["person"]["appointments"]
    # The GP appointment; not the hospital ones, not the one hidden from guardians.
    assert [a["id"] for a in appointments["nodes"]] == ["ap-jonas-gp-1"]
    assert appointments["hiddenCount"] == 3


async def test_jonas_with_youth_access_sees_his_gp_and_near_home_items(gateway: GatewayClient) -> None:
    threads = (await _as(gateway, JONAS, THREADS, JONAS))["data"]["person"]["threads"]
    ids = {t["id"] for t in threads["nodes"]}
    assert {"th-jonas-gp-time", "th-jonas-dialog", "th-jonas-kommune"} <= ids
    assert not ids & {"th-jonas-dialog-parent", "th-jonas-innkalling", "th-jonas-hospital-time", "th-jonas-forlop"}
    appointments = (await _as(gateway, JONAS, APPOINTMENTS, JONAS))["data"]["person"]["appointments"]
    assert sorted(a["id"] for a in appointments["nodes"]) == ["ap-jonas-gp-1", "ap-jonas-gp-2"]
    contacts = (await _as(gateway, JONAS, CONTACTS, JONAS))["data"]["person"]["healthContacts"]
    assert {c["role"] for c in contacts} == {"GP"}


@pytest.mark.parametrize(
    ("viewer", "subject", "reason"),
    [
        (KARI, SOFIE, "CHILD_AGE"),  # 17: parents have no access from the 16th birthday
        (PER, LARS, "NO_RELATION"),  # Lars has a strictly confidential address: as for a stranger
        (KARI, NORA, "NO_RELATION"),  # Nora's fullmakt is ignored: her address is confidential
        (ERIK, OLA, "PROXY_EXPIRED"),
        (NORA, KARI, "CONFIDENTIAL_ADDRESS"),  # a person at a confidential address represents no one
        (PER, KARI, "NO_RELATION"),
        (EMMA, EMMA, "CHILD_AGE"),  # under 13: no self access
    ],
)
async def test_denied_persons(gateway: GatewayClient, viewer: str, subject: str, reason: str) -> None:
    result = await _as(
        gateway, viewer, "query($id: ID!) { person(id: $id) { id name { full } address { city } } }", subject
    )
    assert result["data"] == {"person": None}
    assert _errors(result) == [("FORBIDDEN", reason)]


async def test_per_may_represent_maja_who_lives_with_her_mother(gateway: GatewayClient) -> None:
    result = await _as(gateway, PER, "query($id: ID!) { person(id: $id) { id age } }", MAJA)
    assert result == {"data": {"person": {"id": MAJA, "age": 14}}}


async def test_erik_with_an_area_1_fullmakt_sees_ingrids_gp_but_not_her_inbox(gateway: GatewayClient) -> None:
    contacts = await _as(gateway, ERIK, CONTACTS, INGRID)
    assert "errors" not in contacts
    assert {c["role"] for c in contacts["data"]["person"]["healthContacts"]} == {"GP"}
    inbox = await _as(gateway, ERIK, THREADS, INGRID)
    assert inbox["data"]["person"]["threads"] is None
    assert _errors(inbox) == [("FORBIDDEN", "PROXY_SCOPE")]


async def test_ingrid_with_consent_basis_sees_her_gp_and_basis_services_only(gateway: GatewayClient) -> None:
    threads = (await _as(gateway, INGRID, THREADS, INGRID))["data"]["person"]["threads"]
    assert {t["id"] for t in threads["nodes"]} == {"th-ingrid-fastlegebytte", "th-ingrid-helseundersokelse"}
    assert threads["hiddenCount"] == 4
    appointments = await _as(gateway, INGRID, APPOINTMENTS, INGRID)
    assert appointments["data"]["person"]["appointments"] is None
    assert _errors(appointments) == [("FORBIDDEN", "CONSENT_LEVEL")]
    contacts = (await _as(gateway, INGRID, CONTACTS, INGRID))["data"]["person"]["healthContacts"]
    assert {c["role"] for c in contacts} == {"GP"} and len(contacts) == 2  # current and former GP
    # The dialogue thread with the journal document is not hers to see at consent BASIS.
    dialog = await gateway.execute(
        'query { person(id: "22877510070") { thread(id: "th-ingrid-dialog") { id } } }', as_pid=INGRID
    )
    assert dialog == {"data": {"person": {"thread": None}}}


async def test_nora_sees_her_address_but_not_her_fullmakt_notice(gateway: GatewayClient) -> None:
    result = await _as(gateway, NORA, THREADS.replace("threads(", "address { city } threads("), NORA)
    person = result["data"]["person"]
    assert person["address"] is not None
    assert "th-nora-fullmakt" not in {t["id"] for t in person["threads"]["nodes"]}
    assert "masked" not in result.get("extensions", {})


async def test_a_service_client_sees_noras_address_masked(gateway: GatewayClient) -> None:
    token = await gateway.service_token()
    query = "query($id: ID!) { person(id: $id) { id name { full } birthDate age address { city } } }"
    result = await gateway.execute(query, {"id": NORA}, token=token)
    assert result["data"]["person"]["name"]["full"] == "Nora Hansen"
    assert result["data"]["person"]["address"] is None
    assert "errors" not in result
    assert result["extensions"]["masked"] == [{"path": ["person", "address"], "reason": "CONFIDENTIAL_ADDRESS"}]
    kari = await gateway.execute(query, {"id": KARI}, token=token)
    assert kari["data"]["person"]["address"]["city"] == "Bergen" and "extensions" not in kari


async def test_kari_represents_herself_her_young_children_and_ola(gateway: GatewayClient) -> None:
    result = await gateway.execute(
        "{ viewer { representations { basis serviceAreas validTo person { id } } } }", as_pid=KARI
    )
    rows = [(r["person"]["id"], r["basis"], r["serviceAreas"]) for r in result["data"]["viewer"]["representations"]]
    every = ["REGISTERED_INFORMATION", "PATIENT_JOURNAL", "DIGITAL_HEALTH_SERVICES"]
    ola = ["REGISTERED_INFORMATION", "DIGITAL_HEALTH_SERVICES"]  # his fullmakt: areas 1 and 3
    assert rows == [(KARI, "SELF", every), (EMMA, "PARENT", every), (JONAS, "PARENT", every), (OLA, "PROXY", ola)]


async def test_access_logs_of_jonas_and_ola_show_karis_reads(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    await gateway.execute('query ReadJonas { person(id: "20821250162") { threads { totalCount } } }', token=token)
    await gateway.execute('query ReadOla { person(id: "03894810369") { healthContacts { name } } }', token=token)
    log = """{ viewer { person { accessLog(first: 10) {
      totalCount nodes { actorId actorName basis services operationName } } } } }"""
    jonas = (await gateway.execute(log, as_pid=JONAS))["data"]["viewer"]["person"]["accessLog"]
    assert jonas["nodes"][0] == {
        "actorId": KARI,
        "actorName": "Kari Nordmann",
        "basis": "PARENT",
        "services": ["INNBOKS"],
        "operationName": "ReadJonas",
    }
    ola = (await gateway.execute(log, as_pid=OLA))["data"]["viewer"]["person"]["accessLog"]
    assert ola["nodes"][0]["basis"] == "PROXY" and ola["nodes"][0]["services"] == ["FASTLEGE"]
    # Only the subject reads the log; a self read is not logged.
    assert jonas["totalCount"] == 1
    other = await gateway.execute(f'{{ person(id: "{JONAS}") {{ accessLog {{ totalCount }} }} }}', token=token)
    assert _errors(other) == [("FORBIDDEN", "NO_RELATION")]


async def test_a_fullmakt_given_at_15_gives_erik_nothing(gateway: GatewayClient) -> None:
    """Thea gave Erik a fullmakt at 15: "Du må være over 16 år for å gi en fullmakt"
    (docs/access-rules.md#fullmakt)."""
    result = await _as(gateway, ERIK, CONTACTS, THEA)
    assert result["data"]["person"] is None and _errors(result) == [("FORBIDDEN", "NO_RELATION")]
    mine = await gateway.execute("{ viewer { representations { basis person { id } } } }", as_pid=ERIK)
    assert THEA not in {r["person"]["id"] for r in mine["data"]["viewer"]["representations"]}
    own = await _as(gateway, THEA, CONTACTS, THEA)  # 15 with youth access: she uses the portal herself
    assert "errors" not in own, own


async def test_a_parent_who_has_emigrated_has_no_access(gateway: GatewayClient) -> None:
    """Anders has parental responsibility for Thea (15), who lives with her mother, but has emigrated:
    parental access needs residence in Norway (docs/access-rules.md#parents-and-child-age-bands)."""
    result = await _as(gateway, ANDERS, APPOINTMENTS, THEA)
    assert result["data"]["person"] is None and _errors(result) == [("FORBIDDEN", "NO_RELATION")]
    mine = await gateway.execute("{ viewer { representations { basis person { id } } } }", as_pid=ANDERS)
    assert [r["person"]["id"] for r in mine["data"]["viewer"]["representations"]] == [ANDERS]


async def test_kari_reads_olas_messages_by_fullmakt_without_their_journal_documents(gateway: GatewayClient) -> None:
    """Ola's fullmakt names areas 1 and 3; journal documents (PASIENTJOURNAL) are area 2
    (docs/access-rules.md#proxy-areas)."""
    threads = (await _as(gateway, KARI, THREADS, OLA))["data"]["person"]["threads"]["nodes"]
    (letter,) = [t for t in threads if t["id"] == "th-ola-innkalling"]
    messages = letter["messages"]["nodes"]
    assert all(m["attachments"] == [] for m in messages)
    assert sum(m["hiddenAttachmentCount"] for m in messages) == 1
    own = (await _as(gateway, OLA, THREADS, OLA))["data"]["person"]["threads"]["nodes"]
    (his,) = [t for t in own if t["id"] == "th-ola-innkalling"]
    assert sum(len(m["attachments"]) for m in his["messages"]["nodes"]) == 1


async def test_ola_acts_for_jonas_by_an_assigned_fullmakt_and_sofies_has_ended(gateway: GatewayClient) -> None:
    """Tildelt fullmakter (docs/access-rules.md#tildelt-assigned-fullmakt): shown with their own basis, ended
    in their fifth year whatever validTo says (Sofie's runs to 2027 on paper, and ended 1 September 2026)."""
    result = await gateway.execute(
        "{ viewer { representations { basis serviceAreas validTo person { id } } } }", as_pid=OLA
    )
    rows = {r["person"]["id"]: r for r in result["data"]["viewer"]["representations"]}
    assert rows[JONAS]["basis"] == "ASSIGNED_PROXY"
    assert rows[JONAS]["serviceAreas"] == ["REGISTERED_INFORMATION", "DIGITAL_HEALTH_SERVICES"]
    assert rows[JONAS]["validTo"].startswith("2029-03-01")
    assert SOFIE not in rows
    sofie = await _as(gateway, OLA, CONTACTS, SOFIE)
    assert sofie["data"]["person"] is None and _errors(sofie) == [("FORBIDDEN", "PROXY_EXPIRED")]
    jonas = await _as(gateway, OLA, CONTACTS, JONAS)
    assert "errors" not in jonas and jonas["data"]["person"]["healthContacts"]
