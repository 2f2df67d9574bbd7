#!/usr/bin/env python3
"""A webhook receiver: takes any POST or PUT, answers 200 (or --status), and records it.

  python3 webhook_sink.py --port N [--status 200] [--fast]

Each record: {"n", "method", "path", "query", "headers", "idempotency_key", "traceparent",
"content_type", "body" (parsed JSON, or text when it is not JSON), "received_at"}.
--fast keeps only counts and the distinct Idempotency-Keys (for load runs).

Control: POST /_control {"mode": …} (see standin_base.py); GET /_records (every record;
?since=N for those after the N-th); GET /_calls ({"received", "distinct_idempotency_keys",
"by_path"}); POST /_reset.
"""

import json
import sys
import threading
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import standin_base as base  # noqa: E402


class App:
    def __init__(self, args):
        self.fast = args.fast
        self.status = args.status
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.records = []
            self.received = 0
            self.keys = set()
            self.by_path = Counter()

    def take(self, handler, method, path, query, body):
        key = handler.headers.get("Idempotency-Key")
        with self.lock:
            self.received += 1
            n = self.received
            self.by_path[path] += 1
            if key is not None:
                self.keys.add(key)
            if self.fast:
                return n
        try:
            parsed = json.loads(body) if body else None
        except (ValueError, UnicodeDecodeError):
            parsed = body.decode("utf-8", "replace")
        record = {
            "n": n,
            "method": method,
            "path": path,
            "query": query,
            "headers": {k: v for k, v in handler.headers.items()},
            "idempotency_key": key,
            "traceparent": handler.headers.get("traceparent"),
            "content_type": handler.headers.get("Content-Type"),
            "body": parsed,
            "received_at": base.now_iso(),
        }
        with self.lock:
            self.records.append(record)
        return n


class SinkHandler(base.Handler):
    def route(self, method, path, query, body):
        app = self.server.app
        if method not in ("POST", "PUT"):
            return self.send_json(405, {"error": "this sink takes POST and PUT"}, {"Allow": "POST, PUT"})
        n = app.take(self, method, path, query, body)
        if app.fast:
            return self.send(app.status, b'{"status":"received"}')
        self.send_json(app.status, {"status": "received", "n": n})

    def inspect(self, path, query):
        app = self.server.app
        if path == "/_records":
            since = 0
            for part in query.split("&"):
                if part.startswith("since="):
                    since = int(part[6:] or 0)
            with app.lock:
                return [r for r in app.records if r["n"] > since]
        if path == "/_calls":
            with app.lock:
                return {"received": app.received, "distinct_idempotency_keys": len(app.keys), "by_path": dict(app.by_path)}
        return None


def main(argv=None):
    def extra(parser):
        parser.add_argument("--status", type=int, default=200, help="the status every accepted call gets")
        parser.add_argument("--fast", action="store_true", help="count only; keep no bodies")

    args = base.parse_args("A webhook sink that records what it receives.", extra, argv)
    return base.serve(SinkHandler, App(args), args)


if __name__ == "__main__":
    sys.exit(main())
