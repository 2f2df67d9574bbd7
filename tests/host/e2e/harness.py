"""Helpers for the host's end-to-end tests: free ports, processes started with a ready-line
wait, the stand-in peers, an HTTP client, Prometheus text parsing, the host configuration
writer, rule-pack builds and the shared data.

Everything here is Python 3 standard library.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[3]
STANDINS = ROOT / "tests" / "host" / "standins"
sys.path.insert(0, str(STANDINS))

import mllp_client  # noqa: E402,F401  (re-exported for scenarios)

# Keys and passwords the generated configurations name through the environment.
SECRETS = {
    "EHR_KEY": "ehr-e2e-key-0123456789abcdef",
    "ODOO_HOOK_KEY": "odoo-hook-e2e-key-0123456789",
    "ADMIN_KEY": "admin-e2e-key-0123456789abcdef",
    "ODOO_PASSWORD": "admin",  # as the captured server had it
    "ODOO_API_KEY": "odoo-json2-standin-key",
}
ODOO_DB = "suture_probe"
ODOO_LOGIN = "admin"


class Failure(Exception):
    """A scenario's expectation that did not hold (the message says which and why)."""


def check(condition, message):
    if not condition:
        raise Failure(message)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(probe, timeout, what, interval=0.05):
    """Calls probe() until it returns something truthy; returns it, or fails after `timeout`
    seconds naming `what` and the last value probe() gave (or the last exception)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = probe()
            if last:
                return last
        except Failure:
            raise
        except Exception as error:  # a peer not up yet, a connection refused: try again
            last = "%s: %s" % (type(error).__name__, error)
        if time.monotonic() >= deadline:
            raise Failure("timed out after %.1fs waiting for %s (last: %s)" % (timeout, what, short(last)))
        time.sleep(interval)


def short(value, limit=300):
    text = value if isinstance(value, str) else json.dumps(value, default=str) if value is not None else "None"
    return text if len(text) <= limit else text[:limit] + "…"


# ---------------------------------------------------------------------------- processes


class Process:
    """A child process whose stdout and stderr are read line by line into memory (and a log
    file), so a scenario can wait for a ready line and quote the output when it fails."""

    def __init__(self, name, argv, env=None, cwd=None, log_dir=None):
        self.name = name
        self.argv = [str(a) for a in argv]
        self.env = env
        self.cwd = cwd
        self.lines = []  # (stream, text)
        self.cond = threading.Condition()
        self.proc = None
        self.log = open(Path(log_dir) / ("%s.log" % name), "a") if log_dir else None
        self.readers = []

    def start(self, ready=None, stream="stdout", timeout=20.0):
        """Starts the process; with `ready` (a regex), waits for a line on `stream` matching
        it and returns the match. Fails, quoting the output, if the process exits first."""
        try:
            self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         stdin=subprocess.DEVNULL, env=self.env, cwd=self.cwd)
        except OSError as error:
            raise Failure("cannot start %s (%s): %s" % (self.name, self.argv[0], error))
        for label, pipe in (("stdout", self.proc.stdout), ("stderr", self.proc.stderr)):
            t = threading.Thread(target=self._pump, args=(label, pipe), daemon=True)
            t.start()
            self.readers.append(t)
        if ready is None:
            return None
        pattern = re.compile(ready)
        deadline = time.monotonic() + timeout
        seen = 0
        with self.cond:
            while True:
                for label, text in self.lines[seen:]:
                    if label == stream:
                        m = pattern.search(text)
                        if m:
                            return m
                seen = len(self.lines)
                if self.proc.poll() is not None and all(not t.is_alive() for t in self.readers):
                    raise Failure("%s exited with %s before it was ready; output:\n%s"
                                  % (self.name, self.proc.returncode, self.tail()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("%s was not ready after %.0fs (no line matching %r on %s); output:\n%s"
                                  % (self.name, timeout, ready, stream, self.tail()))
                self.cond.wait(min(left, 0.1))

    def _pump(self, label, pipe):
        for raw in iter(pipe.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            with self.cond:
                self.lines.append((label, text))
                self.cond.notify_all()
            if self.log:
                try:
                    self.log.write("[%s] %s\n" % (label, text))
                    self.log.flush()
                except ValueError:
                    pass
        pipe.close()
        with self.cond:
            self.cond.notify_all()

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def output(self, stream=None):
        with self.cond:
            return [t for s, t in self.lines if stream is None or s == stream]

    def tail(self, n=25):
        with self.cond:
            lines = ["%s: %s" % (s, t) for s, t in self.lines[-n:]]
        return "\n".join("    " + l for l in lines) if lines else "    (no output)"

    def signal(self, signum):
        if self.alive():
            self.proc.send_signal(signum)

    def wait(self, timeout):
        """The exit code, or None if still running after `timeout` seconds."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=5.0):
        """SIGTERM, then SIGKILL after `timeout`; returns the exit code."""
        if self.proc is None:
            return None
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            if self.wait(timeout) is None:
                self.proc.kill()
                self.wait(5)
        for t in self.readers:
            t.join(1)
        if self.log:
            self.log.close()
            self.log = None
        return self.proc.returncode

    def kill9(self):
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.wait(5)


class StandIn(Process):
    """One stand-in peer (odoo, fhir, sink, mllp) from tests/host/standins."""

    SCRIPTS = {"odoo": "odoo_standin.py", "fhir": "fhir_standin.py", "sink": "webhook_sink.py", "mllp": "mllp_peer.py"}

    def __init__(self, kind, data, log_dir=None, args=(), name=None):
        argv = [sys.executable, str(STANDINS / self.SCRIPTS[kind]), "--port", "0"]
        if kind != "mllp":
            argv += ["--data", str(data)]
        argv += list(args)
        super().__init__(name or kind, argv, log_dir=log_dir)
        self.kind = kind
        self.port = None
        self.control_port = None

    def start(self, timeout=20.0):
        m = super().start(r"^ready (\d+)$", "stdout", timeout)
        self.port = int(m.group(1))
        for line in self.output("stdout"):
            if line.startswith("control "):
                self.control_port = int(line.split()[1])
        if self.control_port is None and self.kind != "mllp":
            self.control_port = self.port
        return self

    @property
    def url(self):
        scheme = "mllp" if self.kind == "mllp" else "http"
        return "%s://127.0.0.1:%d" % (scheme, self.port)

    @property
    def control_url(self):
        return "http://127.0.0.1:%d" % self.control_port

    def control(self, **spec):
        r = request("POST", self.control_url + "/_control", spec)
        check(r.status == 200, "%s /_control %s answered %s %s" % (self.name, spec, r.status, r.text[:200]))
        return r.json()

    def records(self, what="", query=""):
        path = "/_records" + ("/" + what if what else "") + ("?" + query if query else "")
        r = request("GET", self.control_url + path)
        check(r.status == 200, "%s GET %s answered %s" % (self.name, path, r.status))
        return r.json()

    def calls(self):
        return request("GET", self.control_url + "/_calls").json()

    def reset(self):
        request("POST", self.control_url + "/_reset", {})


# ---------------------------------------------------------------------------- HTTP


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body
        self._json = None

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        if self._json is None:
            try:
                self._json = json.loads(self.body) if self.body else None
            except ValueError:
                raise Failure("expected a JSON body, got %s: %s" % (self.status, short(self.text)))
        return self._json

    def json_or_none(self):
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def __repr__(self):
        return "%s %s" % (self.status, short(self.text, 200))


def encode_body(body):
    if body is None:
        return None
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


def request(method, url, body=None, headers=None, timeout=10.0):
    """One request on a fresh connection → Response (connection errors raise OSError)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        data = encode_body(body)
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        hdrs.update(headers or {})
        conn.request(method, target, body=data, headers=hdrs)
        r = conn.getresponse()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


class Client:
    """A keep-alive HTTP/1.1 connection (one per thread), reconnecting when the server
    closed it between requests."""

    def __init__(self, base_url, timeout=10.0, retry_idle_close=True):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self.retry_idle_close = retry_idle_close
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        data = encode_body(body)
        hdrs = {"Content-Type": "application/json"} if data is not None else {}
        hdrs.update(headers or {})
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=hdrs)
                r = self.conn.getresponse()
                resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
                if r.will_close:
                    self.close()
                return resp
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                self.close()
                # A keep-alive connection the server closed while idle: one fresh try. A
                # request that reached the server may have been acted on; callers that count
                # must treat a raised error as "unknown", never as "accepted".
                if attempt == 1 or not self.retry_idle_close or not isinstance(error, http.client.RemoteDisconnected):
                    raise
        raise OSError("unreachable")

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None


# ---------------------------------------------------------------------------- metrics

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+([^\s]+)(\s+\d+)?$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text format → [(name, {label: value}, float)]"""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            continue
        labels = {k: v.replace('\\"', '"').replace("\\\\", "\\").replace("\\n", "\n") for k, v in LABEL_RE.findall(m.group(3) or "")}
        try:
            value = float(m.group(4))
        except ValueError:
            continue
        out.append((m.group(1), labels, value))
    return out


class Metrics:
    def __init__(self, text):
        self.text = text
        self.samples = parse_metrics(text)

    def names(self):
        return {name for name, _, _ in self.samples}

    def has(self, name):
        """The family is exported: samples, or at least its # TYPE line (a labelled family
        with no series yet has no samples)."""
        if any(n == name or n.startswith(name + "_") for n in self.names()):
            return True
        return re.search(r"^# TYPE %s " % re.escape(name), self.text, re.M) is not None

    def sum(self, name, **labels):
        """The sum of the samples named `name` whose labels include `labels` (0 when none)."""
        return sum(v for n, l, v in self.samples if n == name and all(l.get(k) == str(x) for k, x in labels.items()))

    def series(self, name):
        return [(l, v) for n, l, v in self.samples if n == name]


# ---------------------------------------------------------------------------- configuration


def yaml_scalar(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a YAML double-quoted scalar


def to_yaml(value, indent=0):
    """Block-style YAML for dicts, lists and scalars (strings always quoted)."""
    pad = "  " * indent
    lines = []
    if isinstance(value, dict):
        if not value:
            return pad + "{}"
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append("%s%s:" % (pad, key))
                lines.append(to_yaml(item, indent + 1))
            else:
                lines.append("%s%s: %s" % (pad, key, "[]" if item == [] else "{}" if item == {} else yaml_scalar(item)))
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return pad + "[]"
        for item in value:
            if isinstance(item, dict) and item:
                body = to_yaml(item, indent + 1).splitlines()
                lines.append("%s- %s" % (pad, body[0].lstrip()))
                lines.extend(body[1:])
            elif isinstance(item, list) and item:
                lines.append("%s-" % pad)
                lines.append(to_yaml(item, indent + 1))
            else:
                lines.append("%s- %s" % (pad, yaml_scalar(item)))
        return "\n".join(lines)
    return pad + yaml_scalar(value)


def write_config(path, config):
    Path(path).write_text("# generated by tests/host/e2e\n" + to_yaml(config) + "\n")
    return path


ENDPOINT_KINDS = {"odoo": "odoo-jsonrpc", "fhir": "fhir", "http": "http", "mllp": "mllp"}  # delivery family → kind


def host_config(packs, store, web_port, admin_port, odoo=None, ehr=None, sink=None, scheduler=None, mllp_port=None,
                limited_port=None, odoo_kind="odoo-jsonrpc", max_body="1MiB", max_depth=64, endpoint_timeout="2s",
                extra_endpoints=None):
    """The configuration the scenarios run the host with. `odoo`, `ehr` (FHIR), `sink`
    (webhooks) and `scheduler` (mllp://) are URLs of stand-ins. Endpoints the packs' routes
    name must all be configured, whether a scenario uses them or not: those without a
    stand-in, and `extra_endpoints` ({name: delivery family} for names routes use that this
    harness does not know), point at a closed port."""
    closed = "http://127.0.0.1:9"
    breaker = {"failures": 5, "cooldown": "1s"}
    listeners = [{
        "name": "web", "kind": "http", "listen": "127.0.0.1:%d" % web_port, "auth": ["api_key"],
        "limits": {"max_body": max_body, "max_depth": max_depth},
    }]
    if limited_port:
        listeners.append({"name": "limited", "kind": "http", "listen": "127.0.0.1:%d" % limited_port,
                          "auth": ["api_key"], "limits": {"rate": "5/s", "burst": 5}})
    if mllp_port:
        listeners.append({"name": "hl7", "kind": "mllp", "listen": "127.0.0.1:%d" % mllp_port,
                          "auth": ["none"], "principal": "lab"})
    odoo_endpoint = {"kind": odoo_kind, "url": odoo or closed, "database": ODOO_DB}
    if odoo_kind == "odoo-jsonrpc":
        odoo_endpoint.update({"login": ODOO_LOGIN, "password": {"env": "ODOO_PASSWORD"}})
    else:
        odoo_endpoint["api_key"] = {"env": "ODOO_API_KEY"}
    odoo_endpoint.update({"timeout": endpoint_timeout, "concurrency": 4, "breaker": breaker})
    endpoints = {
        "odoo": odoo_endpoint,
        "ehr": {"kind": "fhir", "url": ehr or closed, "timeout": endpoint_timeout, "concurrency": 4, "breaker": breaker},
        "sink": {"kind": "http", "url": sink or closed, "timeout": endpoint_timeout, "concurrency": 4, "breaker": breaker},
        "scheduler": {"kind": "mllp", "url": scheduler or "mllp://127.0.0.1:9", "timeout": endpoint_timeout, "concurrency": 1,
                      "breaker": breaker},
    }
    for name, family in (extra_endpoints or {}).items():
        kind = ENDPOINT_KINDS.get(family, "http")
        endpoint = {"kind": kind, "url": "mllp://127.0.0.1:9" if kind == "mllp" else closed, "timeout": endpoint_timeout}
        if kind == "odoo-jsonrpc":
            endpoint.update({"database": ODOO_DB, "login": ODOO_LOGIN, "password": {"env": "ODOO_PASSWORD"}})
        endpoints.setdefault(name, endpoint)
    return {
        "packs": [str(p) for p in packs],
        "store": str(store),
        "delivery_workers": 4,
        "listeners": listeners,
        "endpoints": endpoints,
        "principals": [
            {"id": "ehr", "kind": "service", "role": "sync", "roles": ["ehr.sync"], "scopes": [],
             "api_keys": [{"env": "EHR_KEY"}]},
            {"id": "odoo", "kind": "service", "role": "webhook", "roles": ["odoo.webhook"],
             "api_keys": [{"env": "ODOO_HOOK_KEY"}]},
            {"id": "lab", "kind": "service", "role": "feed", "roles": ["adt.feed"]},
        ],
        "admin": {"listen": "127.0.0.1:%d" % admin_port, "api_keys": [{"env": "ADMIN_KEY"}]},
    }


def pack_endpoints(suture, pack):
    """{endpoint name: delivery family} of the routes of a pack (from `suture inspect`)."""
    p = subprocess.run([str(suture), "inspect", str(pack)], capture_output=True, timeout=60)
    found = re.findall(r"deliver ([a-z_]+)\.[a-z_]+ to ([A-Za-z0-9_.\-]+)", p.stdout.decode("utf-8", "replace"))
    return {name: family for family, name in found}


# ---------------------------------------------------------------------------- the host

LISTENING_RE = r"suture-host: listening (.*)$"


class Host(Process):
    """suture-host under test. `listeners` maps listener names (and "admin") to base URLs
    as the ready line reports them."""

    def __init__(self, binary, config_path, log_dir=None, name="host", extra_env=None):
        env = dict(os.environ)
        env.update(SECRETS)
        env.update(extra_env or {})
        super().__init__(name, [binary, "--config", config_path], env=env, log_dir=log_dir)
        self.binary = binary
        self.config_path = config_path
        self.listeners = {}

    def start(self, timeout=30.0):
        if not Path(self.binary).exists():
            raise Failure("the host binary %s does not exist (build it first)" % self.binary)
        m = super().start(LISTENING_RE, "stderr", timeout)
        for name, host, port in re.findall(r"([A-Za-z0-9_.\-]+)=([^\s=]+):(\d+)", m.group(1)):
            self.listeners[name] = (host, int(port))
        check("admin" in self.listeners, "the ready line names no admin listener: %r" % m.group(0))
        return self

    def url(self, listener="web"):
        check(listener in self.listeners, "the host reports no listener %r (it reports %s)" % (listener, sorted(self.listeners)))
        host, port = self.listeners[listener]
        return "http://%s:%d" % (host, port)

    def address(self, listener):
        check(listener in self.listeners, "the host reports no listener %r (it reports %s)" % (listener, sorted(self.listeners)))
        return self.listeners[listener]

    def admin(self, method, path, body=None, key=True, timeout=10.0):
        headers = {"Authorization": "Bearer " + SECRETS["ADMIN_KEY"]} if key else {}
        return request(method, self.url("admin") + path, body, headers, timeout)

    def metrics(self):
        r = request("GET", self.url("admin") + "/metrics")
        check(r.status == 200, "GET /metrics answered %s" % r)
        return Metrics(r.text)

    def dead_letters(self):
        r = self.admin("GET", "/admin/dead-letters")
        check(r.status == 200, "GET /admin/dead-letters answered %s" % r)
        value = r.json()
        check(isinstance(value, list), "GET /admin/dead-letters is not a JSON list: %s" % short(value))
        return value


def check_config(binary, config_path, timeout=30.0):
    """Runs `suture-host --config X --check-config` → (exit code, stderr text)."""
    if not Path(binary).exists():
        raise Failure("the host binary %s does not exist (build it first)" % binary)
    env = dict(os.environ)
    env.update(SECRETS)
    p = subprocess.run([binary, "--config", str(config_path), "--check-config"], capture_output=True,
                       env=env, timeout=timeout)
    return p.returncode, p.stderr.decode("utf-8", "replace")


# ---------------------------------------------------------------------------- packs and data


def build_pack(suture, inputs, out, timeout=300):
    if not Path(suture).exists():
        raise Failure("the compiler %s does not exist (build it first)" % suture)
    p = subprocess.run([str(suture), "build"] + [str(i) for i in inputs] + ["-o", str(out)],
                       capture_output=True, timeout=timeout, cwd=str(ROOT))
    if p.returncode != 0:
        raise Failure("suture build %s failed (%d):\n%s%s" % (" ".join(str(i) for i in inputs), p.returncode,
                                                           p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")))
    return out


def run_mapping(suture, pack, mapping, input_path, odoo_vals=True, timeout=120):
    """`suture run` → (output lines as JSON, rejection lines as JSON)."""
    argv = [str(suture), "run", str(pack), "--mapping", mapping, "--in", str(input_path)]
    if odoo_vals:
        argv += ["--odoo", "vals"]
    p = subprocess.run(argv, capture_output=True, timeout=timeout)
    outs = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    rejects = []
    for line in p.stderr.decode().splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                rejects.append(json.loads(line))
            except ValueError:
                pass
    if p.returncode not in (0, 1):
        raise Failure("suture run %s failed (%d): %s" % (mapping, p.returncode, p.stderr.decode()[-500:]))
    return outs, rejects


class Data:
    """The shared data folder (../shared/data)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        check((self.folder / "odoo17" / "webhooks.jsonl").exists(), "no shared data at %s" % self.folder)

    def patients(self):
        """{file stem: Patient resource} of the FHIR R4 examples."""
        out = {}
        for path in sorted((self.folder / "fhir-r4" / "examples").glob("Patient-*.json")):
            out[path.stem] = json.loads(path.read_text())
        return out

    def patient(self, name):
        return json.loads((self.folder / "fhir-r4" / "examples" / ("Patient-%s.json" % name)).read_text())

    def webhooks(self):
        return [json.loads(l) for l in (self.folder / "odoo17" / "webhooks.jsonl").read_text().splitlines() if l.strip()]

    def hl7(self, name):
        return mllp_client.load_messages(self.folder / "hl7v2" / name)


class Cleanup:
    """Stops what a scenario started, last started first."""

    def __init__(self):
        self.items = []

    def add(self, proc):
        self.items.append(proc)
        return proc

    def close(self):
        for proc in reversed(self.items):
            try:
                proc.stop()
            except Exception:
                pass
        self.items = []


def post_raw(url, body, headers=None, timeout=15.0):
    """POST over a raw socket, reading the reply while the body is still being sent: a
    server that refuses a large body early (413) and closes is still heard. → Response, or
    None when the connection closed without a reply."""
    import select

    parts = urlsplit(url)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    data = encode_body(body)
    head = "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Length: %d\r\nConnection: close\r\n" % (
        target, parts.hostname, parts.port, len(data))
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    head += "".join("%s: %s\r\n" % (k, v) for k, v in hdrs.items()) + "\r\n"
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    sock.setblocking(False)
    out = head.encode() + data
    received = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            want_write = [sock] if out else []
            readable, writable, _ = select.select([sock], want_write, [], 0.2)
            if readable:
                try:
                    chunk = sock.recv(65536)
                except (ConnectionResetError, BlockingIOError):
                    chunk = b""
                if not chunk:
                    break
                received += chunk
                out = b""  # the server answered: stop sending
            if writable and out:
                try:
                    n = sock.send(out[:65536])
                    out = out[n:]
                except (BrokenPipeError, ConnectionResetError):
                    out = b""
                except BlockingIOError:
                    pass
    finally:
        sock.close()
    if not received:
        return None
    head_end = received.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    lines = received[:head_end].decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return None
    headers_out = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers_out[k.strip().lower()] = v.strip()
    rest = bytes(received[head_end + 4:])
    if "content-length" in headers_out:
        rest = rest[: int(headers_out["content-length"])]
    return Response(status, headers_out, rest)
