#!/usr/bin/env python3
"""Checks the stand-in peers on their own: starts each one as the tests do (a process
printing `ready <port>`), makes calls, compares answers with the captured Odoo envelopes
and the FHIR rules. Prints `ok NAME` / `FAIL NAME: why` per check, then `N passed, N failed`.

  python3 tests/host/standins/selftest.py [--data ../shared/data] [--filter TEXT]
"""

import argparse
import copy
import http.client
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import mllp_client  # noqa: E402
import standin_base  # noqa: E402

CHECKS = []


def check(name):
    def register(fn):
        CHECKS.append((name, fn))
        return fn
    return register


class Bad(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise Bad(message)


class Peer:
    """One stand-in process."""

    def __init__(self, script, data, *args):
        argv = [sys.executable, str(HERE / script), "--port", "0"] + (["--data", data] if script != "mllp_peer.py" else []) + list(args)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.control_port = None
        deadline = time.monotonic() + 20
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise Bad("%s exited: %s" % (script, self.proc.stderr.read()[-2000:]))
            if line.startswith("control "):
                self.control_port = int(line.split()[1])
            if line.startswith("ready "):
                self.port = int(line.split()[1])
                break
            if time.monotonic() > deadline:
                raise Bad("%s not ready" % script)
        self.control_port = self.control_port or self.port

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def call(port, method, path, body=None, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        hdrs = {"Content-Type": "application/json"}
        hdrs.update(headers or {})
        conn.request(method, path, body=data, headers=hdrs)
        r = conn.getresponse()
        raw = r.read()
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            value = raw.decode("utf-8", "replace")
        return r.status, dict(r.getheaders()), value
    finally:
        conn.close()


# ---------------------------------------------------------------------------- Odoo


def rpc(port, service, method, *args, rid=1):
    status, _, value = call(port, "POST", "/jsonrpc", {"jsonrpc": "2.0", "method": "call",
                                                       "params": {"service": service, "method": method, "args": list(args)}, "id": rid})
    expect(status == 200, "JSON-RPC answered HTTP %s" % status)
    return value


def kw(port, model, method, args, kwargs=None, password="admin"):
    return rpc(port, "object", "execute_kw", "suture_probe", 2, password, model, method, args, kwargs or {})


def errors(data):
    return json.loads((Path(data) / "odoo17" / "jsonrpc_errors.json").read_text())


@check("odoo_login")
def odoo_login(ctx):
    p = ctx.odoo
    expect(rpc(p.port, "common", "login", "suture_probe", "admin", "admin") == {"jsonrpc": "2.0", "id": 1, "result": 2},
           "login did not answer uid 2")
    wrong = rpc(p.port, "common", "login", "suture_probe", "admin", "wrong")
    expect(wrong == errors(ctx.data)["access_denied_login"], "a wrong password: %s, expected the captured envelope" % wrong)


@check("odoo_captured_errors")
def odoo_errors(ctx):
    p, captured = ctx.odoo, errors(ctx.data)
    cases = {
        "unknown_method": kw(p.port, "res.partner", "no_such_method", [[]]),
        "missing_record_write": kw(p.port, "res.partner", "write", [[999999], {"phone": "1"}]),
        "validation_required_field": kw(p.port, "res.partner", "create", [{"ref": "no name"}]),
        "bad_selection": kw(p.port, "res.partner", "create", [{"name": "x", "type": "not-a-type"}]),
        "unknown_model": kw(p.port, "x.no.such.model", "search", [[]]),
        "access_denied_execute": kw(p.port, "res.partner", "search", [[]], password="wrong"),
    }
    for name, got in cases.items():
        want = captured[name]
        expect(got == want, "%s: got %s, captured %s" % (name, json.dumps(got)[:300], json.dumps(want)[:300]))


@check("odoo_crud")
def odoo_crud(ctx):
    port = ctx.odoo.port
    one = kw(port, "res.partner", "create", [{"name": "Jane Q. Doe", "ref": "MRN1", "country_id": 233, "email": "j@example.org"}])["result"]
    many = kw(port, "res.partner", "create", [[{"name": "A", "ref": "MRN2"}, {"name": "B", "ref": "MRN3", "active": False}]])["result"]
    expect(isinstance(one, int) and isinstance(many, list) and len(many) == 2, "create: %s %s" % (one, many))
    expect(kw(port, "res.partner", "search", [[["ref", "=", "MRN2"]]], {"limit": 2})["result"] == [many[0]], "search by ref")
    expect(kw(port, "res.partner", "search", [[["ref", "=", "MRN3"]]])["result"] == [], "archived records are not found by default")
    expect(kw(port, "res.partner", "search", [[["ref", "=", "MRN3"], ["active", "=", False]]])["result"] == [many[1]], "active=False finds it")
    expect(kw(port, "res.partner", "search_count", [[["ref", "like", "MRN"]]])["result"] == 2, "search_count")
    expect(kw(port, "res.partner", "search", [["|", ["ref", "=", "MRN1"], ["name", "ilike", "a"]]])["result"] == [one, many[0]], "an | domain")
    row = kw(port, "res.partner", "read", [[one], ["name", "country_id", "phone"]])["result"][0]
    expect(row == {"id": one, "name": "Jane Q. Doe", "country_id": [233, "United States"], "phone": False}, "read: %s" % row)
    expect(kw(port, "res.partner", "write", [[one], {"phone": "+1"}])["result"] is True, "write")
    rows = kw(port, "res.partner", "search_read", [[["phone", "!=", False]]], {"fields": ["phone"]})["result"]
    expect(rows == [{"id": one, "phone": "+1"}], "search_read after write: %s" % rows)
    bad = kw(port, "res.partner", "write", [[one], {"no_such_field": 1}])
    expect(bad.get("error", {}).get("data", {}).get("name") == "builtins.ValueError", "an unknown field: %s" % bad)
    expect(kw(port, "res.partner", "unlink", [[one]])["result"] is True, "unlink")
    expect(kw(port, "res.partner", "read", [[one]])["error"]["data"]["name"] == "odoo.exceptions.MissingError", "read after unlink")
    before = len(call(port, "GET", "/_records/res.partner")[2])
    failed = kw(port, "res.partner", "create", [[{"name": "ok"}, {"ref": "no name"}]])
    expect("error" in failed and len(call(port, "GET", "/_records/res.partner")[2]) == before, "a failed batch create left records")
    calls = call(port, "GET", "/_calls")[2]
    expect(calls.get("create", 0) >= 3 and calls.get("search", 0) >= 3, "/_calls: %s" % calls)


@check("odoo_transcript_replay")
def odoo_replay(ctx):
    """Every request of the captured transcript, against a stand-in seeded with records.json:
    no error, results of the same JSON type, and reads of seeded records equal to what the
    real server answered (dates aside)."""
    peer = Peer("odoo_standin.py", ctx.data, "--seed")
    try:
        for i, line in enumerate((Path(ctx.data) / "odoo17" / "jsonrpc_transcript.jsonl").read_text().splitlines()):
            entry = json.loads(line)
            status, _, got = call(peer.port, "POST", "/jsonrpc", entry["request"])
            want = entry["response"]
            params = entry["request"]["params"]
            what = "transcript line %d (%s %s)" % (i + 1, params["args"][3] if len(params["args"]) > 3 else "", params["args"][4] if len(params["args"]) > 4 else params["method"])
            expect(status == 200 and "error" not in got, "%s: %s" % (what, json.dumps(got)[:300]))
            expect(type(got["result"]) is type(want["result"]), "%s: result %r, captured %r" % (what, got["result"], want["result"]))
            if params["method"] == "execute_kw" and params["args"][4] == "read":
                undated = lambda rows: [{k: v for k, v in r.items() if not k.endswith("date") and k != "date_done"} for r in rows]
                expect(undated(got["result"]) == undated(want["result"]), "%s: read %s, captured %s" % (what, got["result"], want["result"]))
    finally:
        peer.stop()


@check("odoo_json2")
def odoo_json2(ctx):
    port = ctx.odoo.port
    auth = {"Authorization": "bearer odoo-json2-standin-key"}
    status, _, ids = call(port, "POST", "/json/2/res.partner/create", {"vals_list": [{"name": "J2", "ref": "J2-1"}]}, auth)
    expect(status == 200 and isinstance(ids, list) and len(ids) == 1, "create: %s %s" % (status, ids))
    status, _, found = call(port, "POST", "/json/2/res.partner/search", {"domain": [["ref", "=", "J2-1"]]}, auth)
    expect(status == 200 and found == ids, "search: %s %s" % (status, found))
    status, _, ok = call(port, "POST", "/json/2/res.partner/write", {"ids": ids, "vals": {"email": "j2@example.org"}}, auth)
    expect(status == 200 and ok is True, "write: %s %s" % (status, ok))
    cases = [
        ("no key", "/json/2/res.partner/search", {"domain": []}, {}, 401, "werkzeug.exceptions.Unauthorized"),
        ("missing record", "/json/2/res.partner/write", {"ids": [999999], "vals": {"name": "x"}}, auth, 404, "odoo.exceptions.MissingError"),
        ("no name", "/json/2/res.partner/create", {"vals_list": [{"ref": "x"}]}, auth, 422, "odoo.exceptions.ValidationError"),
        ("bad selection", "/json/2/res.partner/create", {"vals_list": [{"name": "x", "type": "nope"}]}, auth, 500, "builtins.ValueError"),
        ("unknown model", "/json/2/x.no.such.model/search", {"domain": []}, auth, 404, "werkzeug.exceptions.NotFound"),
        ("unknown method", "/json/2/res.partner/no_such_method", {}, auth, 404, "werkzeug.exceptions.NotFound"),
        ("bad argument", "/json/2/res.partner/create", {"vals": {}}, auth, 422, "werkzeug.exceptions.UnprocessableEntity"),
    ]
    for label, path, body, headers, want_status, want_name in cases:
        status, _, value = call(port, "POST", path, body, headers)
        expect(status == want_status and isinstance(value, dict) and value.get("name") == want_name and value.get("message"),
               "%s: %s %s, expected %s %s" % (label, status, value, want_status, want_name))


@check("odoo_required_control")
def odoo_required(ctx):
    port = ctx.odoo.port
    call(port, "POST", "/_control", {"required": {"res.partner": ["email"]}})
    got = kw(port, "res.partner", "create", [{"name": "No Mail"}])
    expect(got.get("error", {}).get("data", {}).get("name") == "odoo.exceptions.ValidationError", "required email: %s" % got)
    call(port, "POST", "/_control", {"required": {}})
    expect(isinstance(kw(port, "res.partner", "create", [{"name": "No Mail"}]).get("result"), int), "after lifting it")


# ---------------------------------------------------------------------------- faults (on the sink, same code everywhere)


@check("fault_modes")
def fault_modes(ctx):
    port = ctx.sink.port
    for mode, want in (("down", [503, 503]), ("flaky", [503, 200, 503, 200]), ("ok", [200])):
        call(port, "POST", "/_control", {"mode": mode})
        got = [call(port, "POST", "/hook", {"i": i})[0] for i in range(len(want))]
        expect(got == want, "mode %s: %s, expected %s" % (mode, got, want))
    call(port, "POST", "/_control", {"mode": "slow", "ms": 300})
    started = time.monotonic()
    call(port, "POST", "/hook", {})
    expect(time.monotonic() - started >= 0.28, "slow 300 ms answered in %.3fs" % (time.monotonic() - started))
    call(port, "POST", "/_control", {"mode": "drop"})
    try:
        status = call(port, "POST", "/hook", {}, timeout=5)[0]
        raise Bad("drop: got a reply %s" % status)
    except (http.client.RemoteDisconnected, ConnectionResetError, http.client.BadStatusLine):
        pass
    call(port, "POST", "/_control", {"mode": "ok"})
    status, _, _ = call(port, "POST", "/_control", {"mode": "sideways"})
    expect(status == 400, "an unknown mode: %s" % status)
    call(port, "POST", "/_reset", {})


# ---------------------------------------------------------------------------- FHIR


def outcome_ok(value, code):
    issue = (value or {}).get("issue") or [{}]
    return (isinstance(value, dict) and value.get("resourceType") == "OperationOutcome" and issue[0].get("severity") == "error"
            and issue[0].get("code") == code and isinstance(issue[0].get("diagnostics"), str))


@check("fhir_create_update_conditional")
def fhir_crud(ctx):
    port = ctx.fhir.port
    fhir = {"Content-Type": "application/fhir+json"}
    pat2 = json.loads((Path(ctx.data) / "fhir-r4" / "examples" / "Patient-pat2.json").read_text())
    status, headers, res = call(port, "POST", "/Patient", pat2, fhir)
    expect(status == 201 and headers.get("Location", "").endswith("/Patient/%s/_history/1" % res["id"]) and res["meta"]["versionId"] == "1",
           "create: %s %s" % (status, headers.get("Location")))
    cond = dict(fhir, **{"If-None-Exist": "identifier=urn:oid:0.1.2.3.4.5.6.7|123456"})
    status, headers, again = call(port, "POST", "/Patient", pat2, cond)
    expect(status == 200 and again["id"] == res["id"], "conditional create of an existing one: %s" % status)
    expect(len(call(port, "GET", "/_records/Patient")[2]) == 1, "the conditional create made a second Patient")
    status, _, _ = call(port, "POST", "/Patient", pat2, dict(fhir, **{"If-None-Exist": "identifier=urn:oid:0.1.2.3.4.5.6.7|999"}))
    expect(status == 201, "conditional create of a new one: %s" % status)
    updated = dict(res, active=False)
    status, headers, res2 = call(port, "PUT", "/Patient/%s" % res["id"], updated, fhir)
    expect(status == 200 and res2["meta"]["versionId"] == "2", "update: %s %s" % (status, res2.get("meta")))
    status, _, _ = call(port, "PUT", "/Patient/new-one", dict(pat2, id="new-one"), fhir)
    expect(status == 201, "update-as-create: %s" % status)
    expect(len(call(port, "GET", "/_records/Patient?history=1")[2]) == 4, "history of writes")
    status, _, read = call(port, "GET", "/Patient/%s" % res["id"])
    expect(status == 200 and read["active"] is False, "read back")
    status, _, bundle = call(port, "GET", "/Patient?identifier=urn:oid:0.1.2.3.4.5.6.7|123456")
    expect(status == 200 and bundle["type"] == "searchset" and bundle["total"] == 3, "search: %s" % bundle)


@check("fhir_rejections")
def fhir_rejections(ctx):
    port = ctx.fhir.port
    fhir = {"Content-Type": "application/fhir+json"}
    cases = [
        ("no resourceType", "POST", "/Patient", {"id": "x"}, 400, "invalid"),
        ("another type", "POST", "/Patient", {"resourceType": "Organization", "name": "x"}, 400, "invalid"),
        ("not JSON", "POST", "/Patient", b"{nope", 400, "invalid"),
        ("unknown element", "POST", "/Patient", {"resourceType": "Patient", "colour": "blue"}, 400, "structure"),
        ("id mismatch", "PUT", "/Patient/a", {"resourceType": "Patient", "id": "b"}, 400, "invalid"),
        ("unknown type", "POST", "/Nonsense", {"resourceType": "Nonsense"}, 404, "not-supported"),
        ("not found", "GET", "/Patient/nobody", None, 404, "not-found"),
    ]
    for label, method, path, body, want_status, code in cases:
        status, headers, value = call(port, method, path, body, fhir)
        expect(status == want_status and outcome_ok(value, code), "%s: %s %s" % (label, status, value))
        expect(headers.get("Content-Type", "").startswith("application/fhir+json"), "%s: Content-Type %s" % (label, headers.get("Content-Type")))


@check("fhir_transaction")
def fhir_transaction(ctx):
    port = ctx.fhir.port
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a", "resource": {"resourceType": "Organization", "name": "St. Elsewhere"},
         "request": {"method": "POST", "url": "Organization"}},
        {"resource": {"resourceType": "Patient", "managingOrganization": {"reference": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"}},
         "request": {"method": "POST", "url": "Patient"}},
    ]}
    status, _, answer = call(port, "POST", "/", bundle, {"Content-Type": "application/fhir+json"})
    expect(status == 200 and answer["type"] == "transaction-response" and [e["response"]["status"] for e in answer["entry"]] == ["201 Created"] * 2,
           "transaction: %s %s" % (status, answer))
    org = answer["entry"][0]["response"]["location"].split("/_history")[0]
    patients = call(port, "GET", "/_records/Patient")[2]
    expect(any((p.get("managingOrganization") or {}).get("reference") == org for p in patients), "urn:uuid reference not resolved to %s" % org)
    before = call(port, "GET", "/_records")[2]
    broken = copy.deepcopy(bundle)
    broken["entry"][1]["resource"]["colour"] = "blue"
    status, _, value = call(port, "POST", "/", broken, {"Content-Type": "application/fhir+json"})
    expect(status == 400 and outcome_ok(value, "structure"), "a bad entry: %s %s" % (status, value))
    expect(call(port, "GET", "/_records")[2] == before, "a failed transaction wrote something")


@check("fhir_examples_accepted")
def fhir_examples(ctx):
    """Every official R4 example of the data folder is taken as its own type (strict mode
    knows all their elements)."""
    port = ctx.fhir.port
    for path in sorted((Path(ctx.data) / "fhir-r4" / "examples").glob("*.json")):
        res = json.loads(path.read_text())
        status, _, value = call(port, "PUT", "/%s/%s" % (res["resourceType"], res["id"]), res, {"Content-Type": "application/fhir+json"})
        expect(status in (200, 201), "%s: %s %s" % (path.name, status, json.dumps(value)[:300]))


# ---------------------------------------------------------------------------- webhook sink


@check("sink_records")
def sink_records(ctx):
    port = ctx.sink.port
    call(port, "POST", "/_reset", {})
    tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    status, _, _ = call(port, "POST", "/partners", {"_model": "res.partner", "id": 9}, {"Idempotency-Key": "k1", "traceparent": tp})
    expect(status == 200, "POST: %s" % status)
    status, _, _ = call(port, "PUT", "/x", b"not json", {"Content-Type": "text/plain"})
    expect(status == 200, "PUT: %s" % status)
    expect(call(port, "GET", "/anything")[0] == 405, "GET is not a delivery")
    records = call(port, "GET", "/_records")[2]
    expect(len(records) == 2 and records[0]["body"] == {"_model": "res.partner", "id": 9} and records[0]["idempotency_key"] == "k1"
           and records[0]["traceparent"] == tp and records[1]["body"] == "not json", "records: %s" % records)
    expect(call(port, "GET", "/_calls")[2]["distinct_idempotency_keys"] == 1, "distinct keys")
    call(port, "POST", "/_reset", {})
    expect(call(port, "GET", "/_records")[2] == [], "reset")


# ---------------------------------------------------------------------------- MLLP


def adt(data, name="ADT-A01-01.hl7", control=None):
    message = mllp_client.load_messages(Path(data) / "hl7v2" / name)[0]
    return mllp_client.set_field(message, "MSH", 10, control) if control else message


@check("mllp_acks_pipelined")
def mllp_acks(ctx):
    p = ctx.mllp
    messages = [adt(ctx.data, control="C%02d" % i) for i in range(10)]
    with mllp_client.MllpClient("127.0.0.1", p.port) as client:
        acks = client.send_pipelined(messages)
    for i, ack in enumerate(acks):
        a = mllp_client.parse_ack(ack)
        expect(a["code"] == "AA" and a["control_id"] == "C%02d" % i, "ACK %d: %s" % (i, a))
    head, sent = mllp_client.msh(acks[0]), mllp_client.msh(messages[0])
    expect(head[3] == sent[5] and head[5] == sent[3] and head[9].startswith("ACK"), "ACK MSH not swapped: %s" % acks[0])
    records = call(p.control_port, "GET", "/_records")[2]
    expect([r["control_id"] for r in records][-10:] == ["C%02d" % i for i in range(10)], "records")


@check("mllp_modes")
def mllp_modes(ctx):
    p = ctx.mllp
    for mode in ("AE", "AR"):
        call(p.control_port, "POST", "/_control", {"mode": mode, "text": "no such patient"})
        with mllp_client.MllpClient("127.0.0.1", p.port) as client:
            a = mllp_client.parse_ack(client.send(adt(ctx.data, control="M-" + mode)))
        expect(a["code"] == mode and a["control_id"] == "M-" + mode and a["error"] == "no such patient" and "\rERR|" in a["raw"],
               "%s: %s" % (mode, a))
    call(p.control_port, "POST", "/_control", {"mode": "silent"})
    with mllp_client.MllpClient("127.0.0.1", p.port) as client:
        expect(client.send(adt(ctx.data), timeout=0.5) is None, "silent answered")
    call(p.control_port, "POST", "/_control", {"mode": "AA"})
    with mllp_client.MllpClient("127.0.0.1", p.port) as client:
        client.sock.sendall(mllp_client.frame("not an HL7 message"))
        a = mllp_client.parse_ack(client.read_ack())
        expect(a["code"] == "AR", "no MSH: %s" % a)
        a = mllp_client.parse_ack(client.send(adt(ctx.data, control="after")))
        expect(a["code"] == "AA" and a["control_id"] == "after", "after a bad frame: %s" % a)
    peer = Peer("mllp_peer.py", ctx.data, "--mode", "AE", "--control-port", "-1")
    try:
        with mllp_client.MllpClient("127.0.0.1", peer.port) as client:
            expect(mllp_client.parse_ack(client.send(adt(ctx.data)))["code"] == "AE", "--mode AE")
    finally:
        peer.stop()


@check("frame_reader")
def frame_reader(ctx):
    r = mllp_client.FrameReader()
    stream = b"junk" + mllp_client.frame("A") + mllp_client.frame("BB")
    got = []
    for i in range(len(stream)):  # one byte at a time
        got += r.feed(stream[i:i + 1])
    expect(got == [b"A", b"BB"], "byte by byte: %s" % got)
    messages = mllp_client.load_messages(Path(ctx.data) / "hl7v2" / "ADT01-23.hl7")
    expect(len(messages) == 1 and messages[0].startswith("MSH|") and "\n" not in messages[0], "a file with a BOM")


# ---------------------------------------------------------------------------- runner


class Ctx:
    pass


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check the stand-in peers.")
    parser.add_argument("--data", default=standin_base.default_data_dir())
    parser.add_argument("--filter", default=None)
    args = parser.parse_args(argv)
    ctx = Ctx()
    ctx.data = str(Path(args.data).resolve())
    peers = []
    passed = failed = 0
    try:
        ctx.odoo = Peer("odoo_standin.py", ctx.data)
        ctx.fhir = Peer("fhir_standin.py", ctx.data)
        ctx.sink = Peer("webhook_sink.py", ctx.data)
        ctx.mllp = Peer("mllp_peer.py", ctx.data)
        peers = [ctx.odoo, ctx.fhir, ctx.sink, ctx.mllp]
        for name, fn in CHECKS:
            if args.filter and args.filter not in name:
                continue
            try:
                fn(ctx)
                passed += 1
                print("ok %s" % name, flush=True)
            except (Bad, OSError, KeyError, TypeError, ValueError) as error:
                failed += 1
                print("FAIL %s: %s" % (name, str(error).replace("\n", " ")[:600]), flush=True)
    except Bad as error:
        failed += 1
        print("FAIL start: %s" % error)
    finally:
        for p in peers:
            p.stop()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
