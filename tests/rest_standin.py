"""A local stand-in for OKX's REST API, reached by the real CLI through a profile's `base_url`.

OKX's servers cannot be reached here, but the real `okx` CLI honours
`base_url` in `~/.okx/config.toml`, so a small HTTP server on 127.0.0.1 makes
it print exactly what it prints for OKX's real answers (`Invalid Sign`, …).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BALANCE = {"code": "0", "msg": "", "data": [
    {"totalEq": "1000", "details": [{"ccy": "USDT", "availBal": "1000", "eq": "1000"}]},
]}
"""OKX's answer to `/api/v5/account/balance`: 1000 USDT available."""


@dataclass
class RestStandIn:
    """What the stand-in answers and what it was asked."""

    body: dict[str, Any]
    """The JSON every request gets, e.g. `{"code": "50113", "msg": "Invalid Sign", "data": []}`."""
    status: int = 200
    """The HTTP status of every answer (OKX answers 200 with an error code in the body)."""
    paths: list[str] = field(default_factory=list)
    """Each request's path, in order."""
    headers: list[dict[str, str]] = field(default_factory=list)
    """Each request's headers (the CLI signs with `OK-ACCESS-*`)."""
    base_url: str = ""
    """`http://127.0.0.1:<port>`, once serving."""


def _handler(stand_in: RestStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            stand_in.paths.append(self.path)
            stand_in.headers.append(dict(self.headers.items()))
            payload = json.dumps(stand_in.body).encode()
            self.send_response(stand_in.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: requests are recorded in the stand-in, not printed."""

    return Handler


@contextmanager
def serving(body: dict[str, Any], status: int = 200) -> Iterator[RestStandIn]:
    """Serve `body` on a free loopback port for the `with` block."""
    stand_in = RestStandIn(body=body, status=status)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stand_in))
    stand_in.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
