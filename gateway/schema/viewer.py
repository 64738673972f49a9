"""Viewer: who is logged in, and whom they may act for."""

from __future__ import annotations

import datetime as dt

import strawberry

from gateway.policy.representation import Allowed
from gateway.request.context import Info
from gateway.request.decisions import Subject
from gateway.schema.enums import Assurance, RepresentationBasis, ServiceArea, one_of
from gateway.schema.person import Person


@strawberry.type(description="A person the viewer may act for, and on what basis.")
class Representation:
    subject: strawberry.Private[Subject]

    @property
    def _right(self) -> Allowed:
        # Only a person viewer has representations (Decisions.representations), so none is a client's.
        access = self.subject.access
        assert isinstance(access, Allowed)
        return access

    @strawberry.field(description="The person represented.")
    def person(self) -> Person:
        return Person(owner=self.subject)

    @strawberry.field(description=f"{one_of(RepresentationBasis)}: how the viewer may act for the person.")
    def basis(self) -> RepresentationBasis:
        return self._right.basis

    @strawberry.field(description="The fullmakt's service areas; every area for SELF and PARENT.")
    def service_areas(self) -> list[ServiceArea]:
        areas = self._right.service_areas
        return sorted(areas if areas is not None else ServiceArea)

    @strawberry.field(description="When the right ends: a fullmakt's end date; null when open-ended.")
    def valid_to(self) -> dt.datetime | None:
        return self._right.valid_to


@strawberry.type(description="The logged-in person (from the ID-porten token).")
class Viewer:
    pid: strawberry.Private[str]
    level: strawberry.Private[Assurance]

    @strawberry.field(description="The viewer's fødselsnummer or D-number.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.pid)

    @strawberry.field(description="Level of assurance of the sign-in; health data needs HIGH.")
    def assurance(self) -> Assurance:
        return self.level

    @strawberry.field(description="The viewer as a person, when they may see their own data.")
    async def person(self, info: Info) -> Person | None:
        return Person.of(await info.context.decisions.subject(self.pid))

    @strawberry.field(description="Every person the viewer may act for, self first.")
    async def representations(self, info: Info) -> list[Representation]:
        return [Representation(subject=s) for s in await info.context.decisions.representations()]


@strawberry.type
class ViewerQuery:
    @strawberry.field(description="Who is logged in, and whom they may act for.")
    def viewer(self, info: Info) -> Viewer:
        pid, level = info.context.decisions.signed_in()
        return Viewer(pid=pid, level=level)
