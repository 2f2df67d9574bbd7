"""Shared plumbing of the stand-in peers: argument parsing, a quiet threaded HTTP/1.1 server,
fault injection and the inspection routes every stand-in answers.

Control routes (never subject to faults):
  POST /_control  {"mode": "ok" | "down" | "slow" | "flaky" | "drop", "ms": N, "status": S}
                  down: every call answers S (default 503); slow: sleep N ms (default 1000)
                  before answering; flaky: every other call answers 503; drop: read the
                  request, then close the connection without a reply.
                  A stand-in may take more members (the Odoo one: "required").
  GET  /_control  the current mode
  POST /_reset    forget everything recorded, back to mode ok
  GET  /_records[/<what>], GET /_calls   defined by each stand-in
"""

import argparse
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODES = ("ok", "down", "slow", "flaky", "drop")


def default_data_dir():
    """../shared/data relative to the project root, or $SUTURE_DATA."""
    if os.environ.get("SUTURE_DATA"):
        return os.environ["SUTURE_DATA"]
    root = Path(__file__).resolve().parents[3]
    return str(root.parent / "shared" / "data")


def parse_args(description, extra=None, argv=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--data", default=default_data_dir(), help="the shared data folder")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    if extra:
        extra(parser)
    return parser.parse_args(argv)


class Faults:
    """The fault mode of a stand-in, shared by its handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.mode = "ok"
        self.ms = 1000
        self.status = 503
        self.calls = 0  # calls seen while flaky (odd ones fail)
        self.faulted = 0  # calls answered with a fault

    def set(self, spec):
        mode = spec.get("mode", self.mode)
        if mode not in MODES:
            raise ValueError("unknown mode %r; use one of %s" % (mode, ", ".join(MODES)))
        with self.lock:
            self.mode = mode
            self.ms = int(spec.get("ms", self.ms if mode == "slow" else 1000))
            self.status = int(spec.get("status", 503))
            self.calls = 0

    def reset(self):
        with self.lock:
            self.mode, self.ms, self.status, self.calls, self.faulted = "ok", 1000, 503, 0, 0

    def describe(self):
        with self.lock:
            return {"mode": self.mode, "ms": self.ms, "status": self.status, "faulted": self.faulted}

    def decide(self):
        """What to do with the next (non-control) call: ("ok"|"slow"|"fail"|"drop", arg)."""
        with self.lock:
            mode = self.mode
            if mode == "ok":
                return "ok", None
            if mode == "slow":
                return "slow", self.ms
            if mode == "flaky":
                self.calls += 1
                if self.calls % 2 == 1:
                    self.faulted += 1
                    return "fail", 503
                return "ok", None
            self.faulted += 1
            if mode == "down":
                return "fail", self.status
            return "drop", None


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):  # a peer that went away is not news
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    """Base handler: keep-alive HTTP/1.1, JSON helpers, control routes, fault injection.

    Subclasses implement route(method, path, query, body) and may override control_extra,
    reset_state, records and calls. `self.server.app` is the stand-in's state object.
    """

    protocol_version = "HTTP/1.1"
    server_version = "standin/1"
    sys_version = ""
    verbose = False

    # ---- plumbing ----

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def read_body(self):
        length = self.headers.get("Content-Length")
        if length is None:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                return self.read_chunked()
            return b""
        try:
            n = int(length)
        except ValueError:
            return b""
        return self.rfile.read(n) if n > 0 else b""

    def read_chunked(self):
        out = bytearray()
        while True:
            line = self.rfile.readline(65537)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(out)
            out += self.rfile.read(size)
            self.rfile.readline(3)

    def send(self, status, body=b"", content_type="application/json", headers=None):
        if isinstance(body, (dict, list)) or body is None or isinstance(body, bool):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        # Head and body in one write: two small writes on a keep-alive connection meet the
        # peer's delayed ACK and cost 40 ms each.
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def send_json(self, status, value, headers=None, content_type="application/json"):
        self.send(status, json.dumps(value).encode(), content_type, headers)

    def drop(self):
        """Close the connection without answering."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def header(self, name):
        return self.headers.get(name)

    # ---- dispatch ----

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def dispatch(self):
        try:
            body = self.read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        path, _, query = self.path.partition("?")
        if path.startswith("/_"):
            return self.control_route(path, query, body)
        decision, arg = self.server.faults.decide()
        if decision == "drop":
            return self.drop()
        if decision == "fail":
            return self.fault_reply(arg)
        if decision == "slow":
            time.sleep(arg / 1000.0)
        try:
            self.route(self.command, path, query, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def fault_reply(self, status):
        self.send_json(status, {"error": "unavailable", "status": status, "from": "fault injection"})

    def control_route(self, path, query, body):
        app = self.server.app
        if path == "/_control" and self.command == "POST":
            try:
                spec = json.loads(body or b"{}")
                if not isinstance(spec, dict):
                    raise ValueError("expected a JSON object")
                extra = self.control_extra(spec)
                if "mode" in spec or not extra:
                    self.server.faults.set(spec)
            except (ValueError, TypeError) as error:
                return self.send_json(400, {"error": str(error)})
            return self.send_json(200, dict(self.server.faults.describe(), **(extra or {})))
        if path == "/_control" and self.command == "GET":
            return self.send_json(200, dict(self.server.faults.describe(), **self.control_state()))
        if path == "/_reset" and self.command == "POST":
            self.server.faults.reset()
            app.reset()
            return self.send_json(200, {"status": "reset"})
        if path == "/_health":
            return self.send_json(200, {"status": "ok"})
        answer = self.inspect(path, query)
        if answer is None:
            return self.send_json(404, {"error": "no such control route: %s %s" % (self.command, path)})
        return self.send_json(200, answer)

    # ---- for subclasses ----

    def control_extra(self, spec):
        """Handle stand-in specific members of a /_control body; return what to echo."""
        return {}

    def control_state(self):
        return {}

    def inspect(self, path, query):
        """GET /_records…, /_calls…: a JSON-able value, or None for 404."""
        return None

    def route(self, method, path, query, body):
        self.send_json(404, {"error": "not found"})


def serve(handler_class, app, args, banner=None):
    """Bind, print `ready <port>` on stdout, serve until SIGTERM/SIGINT."""
    handler_class.verbose = bool(getattr(args, "verbose", False))
    server = QuietServer((args.host, args.port), handler_class)
    server.app = app
    server.faults = Faults()
    app.server = server
    port = server.server_address[1]
    app.port = port
    app.base_url = "http://%s:%d" % (args.host, port)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    if banner:
        for line in banner(port):
            print(line, flush=True)
    print("ready %d" % port, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


def query_params(query):
    """a=1&b=x%7Cy → {"a": ["1"], "b": ["x|y"]}"""
    from urllib.parse import parse_qs

    return parse_qs(query, keep_blank_values=True)


def now_iso():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % int((t % 1) * 1000)
