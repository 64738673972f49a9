"""uvicorn's HTTP protocol, with the requests it refuses itself answered as JSON.

uvicorn answers a request it cannot parse (a request line or headers past the parser's limits,
about 64 KB: a long GET query string; or bytes that are not HTTP) with a plain-text 400 before the
app sees it. Here that answer is the GraphQL error shape every other refusal has, with the code
BAD_REQUEST. The protocol is uvicorn's "auto" choice (httptools when installed, else h11) with
only that answer changed.
"""

from __future__ import annotations

import orjson
from uvicorn.protocols.http.h11_impl import H11Protocol

MESSAGE = "The request could not be read as HTTP: its request line or headers may be too long (about 64 KB)."


def _body() -> bytes:
    return orjson.dumps({"errors": [{"message": MESSAGE, "extensions": {"code": "BAD_REQUEST"}}]})


class JsonRefusalsH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        import h11

        body = _body()
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        for event in (h11.Response(status_code=400, headers=headers), h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


try:
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
except ImportError:  # no httptools: uvicorn's "auto" takes h11
    HttpProtocol: type = JsonRefusalsH11Protocol
else:

    class JsonRefusalsHttpToolsProtocol(HttpToolsProtocol):
        def send_400_response(self, msg: str) -> None:
            body = _body()
            content = [STATUS_LINE[400]]
            for name, value in self.server_state.default_headers:
                content += [name, b": ", value, b"\r\n"]
            content += [
                b"content-type: application/json\r\n",
                b"content-length: " + str(len(body)).encode() + b"\r\n",
                b"connection: close\r\n\r\n",
                body,
            ]
            self.transport.write(b"".join(content))
            self.transport.close()

    HttpProtocol = JsonRefusalsHttpToolsProtocol
