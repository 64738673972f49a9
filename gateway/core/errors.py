"""Errors a client may see. Each has a stable `extensions.code` (listed in the README).

PublicError (a GraphQLError: its message and extensions reach the client as they are)
  ├ Unauthenticated      UNAUTHENTICATED       no valid token
  ├ Forbidden            FORBIDDEN + reason    the access rules deny this field
  ├ BadUserInput         BAD_USER_INPUT        an argument a person can correct
  ├ SourceUnavailable    UPSTREAM_UNAVAILABLE  + source: one upstream failed; its fields are null
  └ AuditUnavailable     AUDIT_UNAVAILABLE     the access log refused the write; the data is withheld
Anything else is masked as INTERNAL_SERVER_ERROR with no detail.
"""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import GraphQLError

from gateway.policy.vocabulary import Reason


class PublicError(GraphQLError):
    code: ClassVar[str]

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class Unauthenticated(PublicError):
    code = "UNAUTHENTICATED"

    def __init__(self, problem: str | None = None) -> None:
        detail = f" ({problem})" if problem else ""
        super().__init__(f"Sign in to see this data{detail}.")


_REASON_TEXT = {
    Reason.NO_RELATION: "You may not act for this person.",
    Reason.NO_CONSENT: "This person has not given consent to use the health services.",
    Reason.CONSENT_LEVEL: "This person's consent level does not cover this service.",
    Reason.PROXY_SCOPE: "Your power of attorney (fullmakt) does not cover this service.",
    Reason.PROXY_EXPIRED: "Your power of attorney (fullmakt) has expired.",
    # Worded for both who meet it: a parent of a child too old, and a child too young to sign in.
    Reason.CHILD_AGE: "Not available at this age: a parent's access ends at 16 (some services at 12), "
    "and a child signs in as themselves only from 13, with youth access.",
    Reason.CONFIDENTIAL_ADDRESS: "This service is not available to a person with a confidential address.",
    Reason.INSUFFICIENT_ASSURANCE: "Health data needs a high level of assurance; sign in with ID-porten high.",
    Reason.SERVICE_SCOPE: "A service client may not read health data.",
}


class Forbidden(PublicError):
    code = "FORBIDDEN"

    def __init__(self, reason: Reason) -> None:
        super().__init__(_REASON_TEXT[reason], reason=reason.value)
        self.reason = reason


class BadUserInput(PublicError):
    code = "BAD_USER_INPUT"

    def __init__(self, message: str, argument: str | None = None) -> None:
        extra = {"argument": argument} if argument else {}
        super().__init__(message, **extra)


class SourceUnavailable(PublicError):
    code = "UPSTREAM_UNAVAILABLE"

    def __init__(self, source: str) -> None:
        super().__init__(f"The {source} service is unavailable; try again later.", source=source)


class AuditUnavailable(PublicError):
    code = "AUDIT_UNAVAILABLE"

    def __init__(
        self, message: str = "The access log could not be written, so no data of other persons is shown; try again."
    ) -> None:
        super().__init__(message)


class EventsUnavailable(PublicError):
    code = "EVENTS_UNAVAILABLE"

    def __init__(self) -> None:
        super().__init__("Live updates are unavailable or were interrupted; subscribe again, and reload what is shown.")


class InternalError(PublicError):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self) -> None:
        super().__init__("Unexpected error.")
