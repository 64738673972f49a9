"""The GraphQL endpoint: Strawberry's ASGI view speaking GraphQL over HTTP with both media types
(gateway/http_media.py), answers in parts (gateway/incremental_http.py), GraphiQL, and
graphql-transport-ws.

The view does protocol only. The rest of a request is each one object, which the view calls:
- the context of each request or connection: `ContextBuilder` (gateway/context_builder.py);
- a client signing in over graphql-transport-ws: `WebSocketSignIn` (gateway/ws_sign_in.py);
- the documents a request may run (APQ, trusted, ad hoc): `DocumentPolicy` (gateway/document_policy.py);
all over the app's typed state, `AppState` (gateway/app_state.py).

An override, or a part of one, that is there only for a behaviour of Strawberry 0.341 (seen in
0.341.2 and 0.341.3) is marked "Strawberry 0.341 quirk", naming the behaviour: when Strawberry
changes it, that part can go.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, overload

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, OperationDefinitionNode, OperationType, get_operation_ast
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry import UNSET
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema._graphql_core import GraphQLIncrementalExecutionResults
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation
from strawberry.subscriptions.protocols.graphql_transport_ws.types import NextMessage
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.unset import UnsetType

from gateway import apq
from gateway.app_state import AppState
from gateway.context_builder import ContextBuilder, RefusedToken
from gateway.core.config import Settings
from gateway.core.errors import Unauthenticated
from gateway.document_policy import DocumentPolicy
from gateway.draining import GOING_AWAY, Drain
from gateway.http_media import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, is_request_error, response_media_type
from gateway.incremental_http import Defer20220824, negotiate, streaming_response
from gateway.logs import set_operation
from gateway.policy.clock import Clock
from gateway.request.context import GatewayContext
from gateway.schema import GatewaySchema, build_schema
from gateway.schema.extensions import public_error
from gateway.schema.incremental import checked_parts
from gateway.trusted_documents import TrustedDocument
from gateway.ws_sign_in import WebSocketSignIn

# Refusals of a well-formed GraphQL request (no document to run): request errors, which the legacy
# media type answers with 200 (GraphQL over HTTP); the others are refusals of the HTTP request itself.
REQUEST_ERROR_CODES = frozenset(
    {"PERSISTED_QUERY_NOT_FOUND", "PERSISTED_QUERY_ID_REQUIRED", "PERSISTED_QUERY_NOT_IN_LIST"}
)


class _TransportWS(BaseGraphQLTransportWSHandler[GatewayContext, Any]):
    """graphql-transport-ws, with an answer in parts (@defer, @stream) sent as `next` messages, one per
    part, in the format of `deferSpec=20220824` (gateway/incremental_http.py), then `complete`.

    Strawberry 0.341's handler sends only whole results: it refuses anything else in a stream
    (`_reject_incremental_delivery`), such as the parts schema/incremental.py checks."""

    async def _send_result_stream(self, operation: Operation[GatewayContext, Any], result_source: Any) -> None:
        convert = Defer20220824()
        first = True
        async for result in result_source:
            if isinstance(result, dict):  # a checked part (schema/incremental.py)
                payload: Any = convert(result)  # a part: its keys are not those of a whole result
                await operation.send_operation_message(NextMessage(id=operation.id, type="next", payload=payload))
            elif first and isinstance(result, PreExecutionError):
                await self._handle_pre_execution_error(operation, result)
                return
            else:
                await operation.send_next(result)
            first = False


class GatewayGraphQL(GraphQL[GatewayContext, Any]):
    """Strawberry's ASGI view, speaking GraphQL over HTTP with both media types (gateway/http_media.py).

    A response is `application/graphql-response+json` when the Accept header asks for it, else
    `application/json`. A request that fails before execution (a body that is not a JSON object, a
    document that does not parse or validate, variables that do not coerce, no query) answers 400 with
    `{"errors": [...]}` and no `data`; with `application/json` a GraphQL request error keeps 200, as the
    spec's legacy rules say. A POST that is not `application/json` answers 415, a mutation over GET 405.
    """

    graphql_transport_ws_handler_class = _TransportWS

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        ide_page: str | None,
        *,
        schema: GatewaySchema | None = None,
        trusted: Mapping[str, TrustedDocument] | None = None,
        drain: Drain | None = None,
    ) -> None:
        """`schema`: built from `settings` when not given; `trusted`: the trusted documents, checked
        against `schema` (app.start_checks), when GATEWAY_TRUSTED_DOCUMENTS is set; `drain`: the process's
        way out, which closes the WebSockets when it starts."""
        schema = schema or build_schema(settings)
        self._policy = DocumentPolicy.of(settings, schema, trusted)  # a ValueError without `trusted` it needs
        super().__init__(schema, graphql_ide="graphiql" if ide_page else None)
        self._documents = schema.documents
        self._contexts = ContextBuilder(clock, settings.subscription_recheck_s)
        self._sign_in = WebSocketSignIn()
        self._ide_page = ide_page
        self._drain = drain or Drain(delay_s=0)

    # orjson: several times faster than the json module on a 35 KB inbox page, and it refuses (as
    # JSONDecodeError, so a 400) JSON nested past its limit or integers past 64 bits.
    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        # Text, not bytes: WebSocket messages are encoded here too, and graphql-transport-ws frames are text.
        return orjson.dumps(data).decode()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> GatewayContext:
        return await self._contexts.build(request, AppState.of(request))

    async def on_ws_connect(self, context: GatewayContext) -> UnsetType:
        await self._sign_in.sign_in(context, AppState.of(context.request).verifier)
        return UnsetType()  # UNSET itself, which Strawberry types as Any

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # Strawberry 0.341 quirk: it renders the IDE for any GET without `query` that accepts `*/*`,
        # though a GET naming a persisted query by its hash has no `query` either: a request, not a browser.
        return super().should_render_graphql_ide(request) and request.query_params.get("extensions") is None

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self._ide_page or "")

    @overload
    async def run(self, request: Request, context: GatewayContext = UNSET, root_value: Any = UNSET) -> Response: ...

    @overload
    async def run(self, request: WebSocket, context: GatewayContext = UNSET, root_value: Any = UNSET) -> WebSocket: ...

    async def run(
        self, request: Request | WebSocket, context: GatewayContext = UNSET, root_value: Any = UNSET
    ) -> Response | WebSocket:
        """Strawberry's ASGI view (`GraphQL.__call__`) answers a request it refuses (HTTPException) with
        plain text; we answer with JSON, and a refused token with 401. A WebSocket is tracked for the drain."""
        if isinstance(request, WebSocket):
            if self._drain.draining:  # going away: a subscriber connects to another replica
                await request.close(GOING_AWAY)
                return request
            with self._drain.tracking(request):
                return await super().run(request, context, root_value)
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            return self._refusal(request, exc)
        except RefusedToken as refused:
            return self._unauthorized(request, refused.problem)

    def _unauthorized(self, request: Request, problem: str) -> Response:
        error = Unauthenticated(problem)
        body = self.encode_json({"errors": [{"message": error.message, "extensions": error.extensions}]})
        # The problem text is ours (never the token); quotes would end the header's quoted string.
        description = problem.replace('"', "'")
        headers = {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{description}"'}
        return Response(body, 401, headers, media_type=response_media_type(request.headers.get("accept")))

    def _refusal(self, request: Request, exc: HTTPException) -> Response:
        status, headers = exc.status_code, {"Vary": "Accept"}
        if status == 405:
            headers["Allow"] = "GET, POST"
        # Strawberry 0.341 quirk: it refuses a mutation over GET with 400, raised from
        # InvalidOperationTypeError (`execute_single`); GraphQL over HTTP says 405, allowing POST.
        if request.method == "GET" and isinstance(exc.__cause__, InvalidOperationTypeError):
            status, headers["Allow"] = 405, "POST"
        media_type = response_media_type(request.headers.get("accept"))
        code = exc.code if isinstance(exc, apq.Refused) else "BAD_REQUEST"
        if code in REQUEST_ERROR_CODES and media_type == APPLICATION_JSON:
            status = 200  # a GraphQL request error, which the legacy media type answers with 200
        body = self.encode_json({"errors": [{"message": exc.reason, "extensions": {"code": code}}]})
        return Response(body, status, headers, media_type=media_type)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: GatewayContext,
        root_value: Any,
        sub_response: Response,
    ) -> Any:
        """Each operation's document from the document policy, its name for the access line; an answer
        in parts is checked and framed by us (Strawberry frames only multipart, in its own format)."""
        store = AppState.of(request).shared.persisted_queries
        items = request_data if isinstance(request_data, list) else [request_data]
        document_ids = await self._policy.document_ids(request, len(items))
        names: list[str | None] = []
        for item, document_id in zip(items, document_ids, strict=True):
            await self._policy.resolve(item, document_id, store)
            operation = self._operation(item)
            names.append(item.operation_name or (operation.name.value if operation and operation.name else None))
            set_operation(request.scope, names)
            # Strawberry 0.341 quirk: it runs a subscription sent as a plain HTTP request like a query,
            # which then fails with an internal error; it is a request error, which says where they run.
            if item.protocol == "http" and operation is not None and operation.operation is OperationType.SUBSCRIPTION:
                raise HTTPException(
                    400, "A subscription runs over a WebSocket at /graphql (graphql-transport-ws), not over HTTP."
                )
        result = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        if isinstance(result, GraphQLIncrementalExecutionResults):
            # An answer in parts: Strawberry streams it through `create_streaming_response`, which
            # sends these, checked and framed as the client reads them.
            delivery = negotiate(request.headers.get("accept"))
            assert delivery is not None  # the engine answers in parts only where the client reads them
            parts = checked_parts(result.initial_result, result.subsequent_results, context, names[0])
            sub_response.incremental = streaming_response(parts, delivery, self.encode_json)
        return result

    async def create_streaming_response(
        self,
        request: Request | WebSocket,
        stream: Callable[[], AsyncIterator[str]],
        sub_response: Response,
        headers: Mapping[str, str],
    ) -> Response:
        incremental: Response | None = getattr(sub_response, "incremental", None)
        if incremental is not None:
            return incremental
        return await super().create_streaming_response(request, stream, sub_response, headers)

    def _operation(self, request_data: GraphQLRequestData) -> OperationDefinitionNode | None:
        """The operation the request runs (its document is parsed once, cached), or None."""
        if not isinstance(request_data.query, str):
            return None
        try:
            document = self._documents.parse(request_data.query)
        except GraphQLError:
            return None  # Strawberry reports it, as for any request
        return get_operation_ast(document, request_data.operation_name)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Carried to create_response, which sees only the sub-response; it sets the Content-Type header.
        sub_response.media_type = response_media_type(request.headers.get("accept"))
        return sub_response

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            if content_type != APPLICATION_JSON:
                raise HTTPException(415, "A GraphQL request is a POST with Content-Type: application/json.")
            body = await request.get_body()
            # Strawberry 0.341 quirk: a JSON body that is not an object (or a batch) fails with a 500
            # (`parse_http_body` calls `.get` on it).
            if body.lstrip(b" \t\r\n")[:1] not in (b"{", b"["):
                self.parse_json(body)  # answers 400 if it is not JSON at all
                raise HTTPException(400, "The request body must be a JSON object.")
        data = await super().parse_http_body(request)
        # Strawberry 0.341 quirk: it checks the types of `query`, `variables` and `extensions`, not of
        # `operationName`.
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item.operation_name, str | None):
                raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null.")
        return data

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        if result.errors:
            # A document that does not parse never reaches the extensions; give its errors a code too.
            result.errors = [public_error(e) for e in result.errors]
        response = await super().process_result(request, result)
        if is_request_error(result):
            # The GraphQL spec: when a request error is raised before execution, `data` is not present.
            response.pop("data", None)
        return response

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        media_type = sub_response.media_type or APPLICATION_JSON
        response.headers["content-type"] = media_type
        response.headers.add_vary_header("Accept")
        request_error = isinstance(response_data, dict) and "data" not in response_data
        if media_type == GRAPHQL_RESPONSE_JSON and request_error and not sub_response.status_code:
            response.status_code = 400
        return response
