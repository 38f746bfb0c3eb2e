"""A real HTTP server on 127.0.0.1 for fault and end-to-end tests; a handler function decides each answer."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

# handler(request) -> (status, headers, body) or None when it wrote the answer itself
Handler = Callable[[BaseHTTPRequestHandler], "tuple[int, dict, bytes] | None"]


@contextmanager
def serve(handler: Handler):
    """Run handler behind a threaded HTTP server on a free loopback port; yields the base URL."""

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            answer = handler(self)
            if answer is None:
                return
            status, headers, body = answer
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_wsgi(app):
    """A WSGI app behind waitress (the hub's production server) on a free loopback port; yields its base URL."""
    from hub.web.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # every socket closed by the server's own loop, which then ends: closed from here, one could go
        # while that loop was in select() on it (EBADF in its thread: an error of whichever test ended)
        server.trigger.pull_trigger(lambda: [d.close() for d in list(server._map.values())])
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()
