#!/usr/bin/env python3
"""End-to-end tests of suture-host on loopback, against the stand-in peers of
tests/host/standins (Odoo, FHIR server, webhook receiver, MLLP).

  python3 tests/host/e2e/run_e2e.py --host build/bin/suture-host --suture build/bin/suture \
      --data ../shared/data [--filter NAME] [--keep] [--verbose]

Builds the packs it needs (specs/patients, specs/supply, specs/biomedical and the routes of
tests/host/e2e/specs) into a temporary folder, then runs each scenario on its own: fresh
stand-ins, a fresh store, the host on free ports with a generated configuration. Prints
`ok NAME` or `FAIL NAME: why` per scenario and `N passed, N failed` last; exit 1 when a
scenario failed. A scenario that needs something the host does not do fails, saying what.
Logs of every process stay in the temporary folder when something failed (or with --keep).
"""

import argparse
import copy
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as h  # noqa: E402
from harness import Failure, check, wait_until  # noqa: E402

MRN_SYSTEM = "urn:oid:0.1.2.3.4.5.6.7"  # the hospital MRN system of specs/patients
PATIENT_ROUTE = "ehr_patients_to_odoo"
FHIR_HEADERS = {"Authorization": "Bearer " + h.SECRETS["EHR_KEY"], "Content-Type": "application/fhir+json"}

SCENARIOS = []


def scenario(name):
    def register(fn):
        SCENARIOS.append((name, fn))
        return fn
    return register


# ---------------------------------------------------------------------------- context


class Context:
    """What every scenario shares: the tools, the data, the packs, a temporary folder."""

    def __init__(self, args, tmp):
        self.args = args
        self.tmp = tmp
        self.host_bin = str(Path(args.host).resolve())
        self.suture = str(Path(args.suture).resolve())
        self.data = h.Data(Path(args.data).resolve())
        self.verbose = args.verbose
        self._packs = {}
        self._lock = threading.Lock()

    def note(self, text):
        if self.verbose:
            print("    " + text, flush=True)

    def pack(self, variant="main"):
        """main: the reference packs and the e2e routes; reload: the same plus a marker route."""
        with self._lock:
            if isinstance(self._packs.get(variant), Failure):
                raise self._packs[variant]  # built once: a failed build fails every scenario the same way
            if variant not in self._packs:
                inputs = [h.ROOT / "specs" / "patients", h.ROOT / "specs" / "supply", h.ROOT / "specs" / "biomedical",
                          h.ROOT / "tests" / "host" / "e2e" / "specs"]
                if variant == "reload":
                    inputs.append(h.ROOT / "tests" / "host" / "e2e" / "specs_reload")
                out = self.tmp / "packs" / ("%s.spk" % variant)
                out.parent.mkdir(parents=True, exist_ok=True)
                try:
                    h.build_pack(self.suture, inputs, out)
                except Failure as error:
                    self._packs[variant] = error
                    raise
                self._packs[variant] = (out, h.pack_endpoints(self.suture, out))
            return self._packs[variant]


class Env:
    """One scenario's processes and files; everything it started is stopped at the end."""

    def __init__(self, ctx, name):
        self.ctx = ctx
        self.dir = ctx.tmp / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cleanup = h.Cleanup()
        self.peers = {}
        self.hosts = 0

    def standin(self, kind, *args):
        peer = h.StandIn(kind, self.ctx.data.folder, self.dir, args)
        self.cleanup.add(peer)
        peer.start()
        self.peers[kind] = peer
        return peer

    def peers_up(self, *kinds):
        for kind in kinds:
            self.standin(kind)
        return [self.peers[k] for k in kinds]

    def config(self, packs=None, store=None, **kw):
        pack, endpoints = self.ctx.pack("main")
        web, admin, mllp, limited = (h.free_port() for _ in range(4))
        peers = self.peers
        config = h.host_config(
            packs or [pack], store or (self.dir / "store.db"), web, admin,
            odoo=peers["odoo"].url if "odoo" in peers else None,
            ehr=peers["fhir"].url if "fhir" in peers else None,
            sink=peers["sink"].url if "sink" in peers else None,
            scheduler=peers["mllp"].url if "mllp" in peers else None,
            mllp_port=mllp if kw.pop("mllp", False) else None,
            limited_port=limited if kw.pop("limited", False) else None,
            extra_endpoints={e: f for e, f in endpoints.items() if e not in ("odoo", "ehr", "sink", "scheduler")},
            **kw)
        return config

    def host(self, config=None, name=None):
        config = config or self.config()
        self.hosts += 1
        name = name or ("host%d" % self.hosts if self.hosts > 1 else "host")
        path = h.write_config(self.dir / ("%s.yaml" % name), config)
        host = h.Host(self.ctx.host_bin, str(path), self.dir, name)
        self.cleanup.add(host)
        host.start()
        return host

    def close(self):
        self.cleanup.close()


# ---------------------------------------------------------------------------- expectations


def expected_partner(p):
    """What specs/patients/patient_to_partner.sut makes of a Patient, for the `ehr` principal
    (service, role ehr.sync, no billing role: phone numbers are redacted before mapping).
    → ("reject", code) or ("partner", {field: value or None})."""
    names = p.get("name") or []
    n = next((x for x in names if x.get("use") == "official"), None) \
        or next((x for x in names if x.get("use") != "old"), None) or (names[0] if names else None)
    n = n or {}
    display = (" ".join(n.get("prefix") or []) + " " + " ".join(n.get("given") or []) + " " + (n.get("family") or "")).strip()
    if not display:
        return "reject", "PATIENT_UNNAMED"
    mrn = next((i for i in p.get("identifier") or [] if i.get("system") == MRN_SYSTEM and (i.get("use") or "usual") != "old"), None)
    emails = sorted((t for t in p.get("telecom") or [] if t.get("system") == "email"), key=lambda t: t.get("rank", 1000))
    address = (p.get("address") or [{}])[0]
    if not p.get("id"):
        return "reject", "PATIENT_NO_ID"
    return "partner", {
        "name": display,
        "ref": mrn.get("value") if mrn else None,
        "email": emails[0].get("value") if emails else None,
        "phone": None,  # redacted: the sync principal has no billing role
        "active": p.get("active", True),
        "street": (address.get("line") or [None])[0],
        "city": address.get("city"),
        "zip": address.get("postalCode"),
        "comment": "FHIR Patient/" + p["id"],
    }


def restricted(p):
    return any(s.get("code") in ("R", "V") for s in (p.get("meta") or {}).get("security") or [])


def same(have, want):
    if want is None:
        return have in (None, False, "")
    return have == want


def compare_row(row, want, label):
    wrong = ["%s: %s (expected %s)" % (k, json.dumps(row.get(k)), json.dumps(v)) for k, v in want.items() if not same(row.get(k), v)]
    check(not wrong, "%s: %s" % (label, "; ".join(wrong)))


def partners_by_ref(odoo, fields=None):
    """{ref: [partner rows]}; with `fields`, only those (cheaper to poll for many rows)."""
    rows = odoo.records("res.partner", "fields=" + ",".join(["ref"] + list(fields)) if fields is not None else "")
    out = defaultdict(list)
    for row in rows:
        out[row.get("ref")].append(row)
    return out


def patient_variant(base, pid, mrn, **extra):
    p = copy.deepcopy(base)
    p["id"] = pid
    p["identifier"] = [{"use": "usual", "system": MRN_SYSTEM, "value": mrn}]
    p.update(extra)
    return p


def post_patient(client_or_url, patient, headers=None):
    hdrs = dict(FHIR_HEADERS)
    hdrs.update(headers or {})
    if isinstance(client_or_url, h.Client):
        return client_or_url.request("POST", "/fhir/Patient", patient, hdrs)
    return h.request("POST", client_or_url + "/fhir/Patient", patient, hdrs)


def expect_status(r, status, code=None, what=""):
    body = r.json_or_none() or {}
    check(r.status == status and (code is None or body.get("code") == code),
          "%s: expected %s%s, got %s" % (what, status, " " + code if code else "", r))
    return body


def accepted(r, what):
    body = expect_status(r, 202, None, what)
    check(body.get("status") == "accepted", "%s: a 202 without status accepted: %s" % (what, r))
    return body


# ---------------------------------------------------------------------------- scenarios


@scenario("fhir_patients_to_partners")
def fhir_patients(ctx, env):
    odoo, _, _ = env.peers_up("odoo", "fhir", "sink")
    host = env.host()
    web = host.url("web")
    patients = ctx.data.patients()
    # Two made from the examples: f001 with the hospital's MRN (its e-mail, address and phone
    # reach the mapping), and a restricted pat4 the sync principal may not see.
    f001 = ctx.data.patient("f001")
    f001["id"] = "f001-mrn"
    f001["identifier"] = f001.get("identifier", []) + [{"use": "usual", "system": MRN_SYSTEM, "value": "738472983"}]
    patients["derived-f001-mrn"] = f001
    patients["derived-pat4-restricted"] = patient_variant(ctx.data.patient("pat4"), "pat4-restricted", "999004",
                                                          meta={"security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}]})
    want_partners, want_dead = {}, []
    for label, p in patients.items():
        r = post_patient(web, p)
        kind, want = expected_partner(p)
        if restricted(p):
            body = expect_status(r, 403, "POLICY_DENIED", label)
            check("restricted" in (body.get("rules") or []), "%s: the denial names rules %s, not `restricted`" % (label, body.get("rules")))
        elif kind == "reject":
            body = expect_status(r, 422, want, label)
            check(body.get("path"), "%s: the rejection has no path: %s" % (label, r))
        elif want["ref"] is None:
            # No MRN: an upsert keyed on ref cannot find or create it; refused at the door or
            # dead-lettered, but never a partner.
            check(r.status in (202, 422), "%s (no MRN): expected 202 then a dead letter, or 422; got %s" % (label, r))
            if r.status == 202:
                want_dead.append(p["id"])
        else:
            accepted(r, label)
            want_partners[want["ref"]] = (label, want)
    ctx.note("partners expected: %s; dead letters expected: %s" % (sorted(want_partners), want_dead))

    by_ref = wait_until(lambda: (lambda b: b if all(ref in b for ref in want_partners) else None)(partners_by_ref(odoo)),
                        20, "partners with refs %s in Odoo" % sorted(want_partners))
    for ref, (label, want) in want_partners.items():
        check(len(by_ref[ref]) == 1, "%s: %d partners with ref %s" % (label, len(by_ref[ref]), ref))
        compare_row(by_ref[ref][0], want, label)
    unexpected = [r for r in by_ref if r not in want_partners]
    check(not unexpected, "partners that no Patient should have made: refs %s" % unexpected)

    if want_dead:
        def dead():
            letters = [d for d in host.dead_letters() if d.get("route") == PATIENT_ROUTE]
            return letters if len(letters) >= len(want_dead) else None
        letters = wait_until(dead, 20, "%d dead letters for Patients without an MRN" % len(want_dead))
        ctx.note("dead letters: %s" % [(d.get("code"), d.get("error")) for d in letters])

    # The same Patient again: a duplicate, not a second partner.
    creates = odoo.calls().get("create", 0)
    again = accepted(post_patient(web, ctx.data.patient("pat2")), "pat2 again")
    check(again.get("deliveries", 0) == 0 and again.get("duplicates", 0) >= 1,
          "pat2 sent twice: expected deliveries 0 and duplicates ≥ 1, got %s" % again)
    time.sleep(1.0)
    check(odoo.calls().get("create", 0) == creates, "a repeated Patient created another partner")
    check(len(partners_by_ref(odoo)["123456"]) == 1, "a repeated Patient made a second partner")


def webhook_destination(body):
    model = body["_model"]
    if model == "res.partner":
        return ("sink", "/partners")
    if model == "maintenance.request":
        return ("ehr", "Task")
    if model == "stock.picking":
        return ("ehr", "SupplyDelivery") if body.get("state") == "done" else ("sink", "/pickings")
    raise Failure("a webhook of model %s has no expected destination" % model)


@scenario("odoo_webhooks_once")
def odoo_webhooks(ctx, env):
    _, fhir, sink = env.peers_up("odoo", "fhir", "sink")
    host = env.host()
    web = host.url("web")
    hooks = ctx.data.webhooks()
    # A webhook is one message per distinct body: Odoo repeats the same body many times, and
    # may also send different bodies under one write_date (two writes in the same instant),
    # which are different messages and must both arrive.
    def message_of(b):
        return (b.get("_model"), b.get("_id"), b.get("write_date"), json.dumps(b, sort_keys=True))

    expected = defaultdict(set)  # destination → {distinct message}
    for i, hook in enumerate(hooks):
        body = hook["body"]
        expected[webhook_destination(body)].add(message_of(body))
        headers = {k: v for k, v in hook.get("headers", {}).items()}
        r = h.request("POST", web + hook["path"] + "?api_key=" + h.SECRETS["ODOO_HOOK_KEY"], json.dumps(body), headers)
        accepted(r, "webhook %d (%s %s)" % (i + 1, body["_model"], body["_id"]))
    distinct = {message_of(b["body"]) for b in hooks}
    ctx.note("%d webhooks, %d distinct bodies, deliveries expected: %s"
             % (len(hooks), len(distinct), {k: len(v) for k, v in expected.items()}))

    def sink_keys():
        got = Counter()
        for rec in sink.records():
            b = rec.get("body") or {}
            got[(("sink", rec["path"]), message_of(b))] += 1
        return got

    def fhir_versions(rtype):
        return fhir.records(rtype, "history=1")

    want_sink = {(d, k) for d, keys in expected.items() if d[0] == "sink" for k in keys}

    def all_there():
        got = sink_keys()
        return (set(got) >= want_sink and len(fhir_versions("Task")) >= len(expected[("ehr", "Task")])
                and len(fhir_versions("SupplyDelivery")) >= len(expected[("ehr", "SupplyDelivery")]))
    wait_until(all_there, 20, "every distinct webhook delivered (sink %s, FHIR Task %d, SupplyDelivery %d)"
               % (sorted(want_sink), len(expected[("ehr", "Task")]), len(expected[("ehr", "SupplyDelivery")])))
    time.sleep(1.0)  # anything delivered twice would show up by now
    got = sink_keys()
    twice = {k: n for k, n in got.items() if n > 1}
    check(not twice, "delivered more than once to the sink: %s" % twice)
    check(set(got) == want_sink, "the sink got %s, expected %s" % (sorted(got), sorted(want_sink)))
    for rec in sink.records():
        check(rec.get("idempotency_key"), "a sink delivery without an Idempotency-Key header: %s" % h.short(rec.get("headers")))
    tasks = fhir_versions("Task")
    deliveries = fhir_versions("SupplyDelivery")
    check(len(tasks) == len(expected[("ehr", "Task")]), "Task written %d times, expected %d" % (len(tasks), len(expected[("ehr", "Task")])))
    check(len(deliveries) == len(expected[("ehr", "SupplyDelivery")]),
          "SupplyDelivery written %d times, expected %d (one per distinct done picking)" % (len(deliveries), len(expected[("ehr", "SupplyDelivery")])))
    task = tasks[-1]
    check(task.get("id") == "odoo-maintenance-1" and task.get("priority") == "asap"
          and (task.get("focus") or {}).get("reference") == "Device/odoo-equipment-1",
          "the Task does not carry the maintenance request: %s" % h.short(task))
    check(all(d.get("id") == "odoo-picking-1" and d.get("status") == "completed" for d in deliveries),
          "SupplyDelivery versions: %s" % h.short([(d.get("id"), d.get("status")) for d in deliveries]))
    check(any(str(d.get("occurrenceDateTime", "")).startswith("2026-11-24T13:43:47") for d in deliveries),
          "no SupplyDelivery carries the picking's date_done: %s" % h.short(deliveries))


def adt_batch(ctx, count):
    """`count` ADT messages made from the real samples, each with its own control id and
    patient identifiers (so each is a message of its own and a partner of its own)."""
    samples = ["ADT-A01-01.hl7", "ADT-A01-02.hl7", "ADT-A04-01.hl7", "ADT-A04-02.hl7", "ADT-A08-01.hl7",
               "ADT-A08-02.hl7", "ADT01-23.hl7", "ADT01-28.hl7", "ADT04-23.hl7", "ADT04-28.hl7"]
    out = []
    for i in range(count):
        message = ctx.data.hl7(samples[i % len(samples)])[0]
        message = h.mllp_client.set_field(message, "MSH", 10, "E2E%04d" % i)
        out.append(renumber_pid3(message, "E2E%04d" % i))
    return out


def renumber_pid3(message, prefix):
    segs = h.mllp_client.segments(message)
    sep = segs[0][3]
    enc = segs[0].split(sep)[1]
    comp, rep = enc[0], enc[1]
    for i, seg in enumerate(segs):
        if seg.startswith("PID" + sep):
            fields = seg.split(sep)
            if len(fields) > 3 and fields[3]:
                reps = fields[3].split(rep)
                for r, value in enumerate(reps):
                    parts = value.split(comp)
                    parts[0] = "%s-%d" % (prefix, r)
                    reps[r] = comp.join(parts)
                fields[3] = rep.join(reps)
            segs[i] = sep.join(fields)
            break
    return "\r".join(segs) + "\r"


@scenario("hl7_adt_pipelined")
def hl7_pipelined(ctx, env):
    odoo, _, _ = env.peers_up("odoo", "fhir", "sink")
    host = env.host(env.config(mllp=True))
    messages = adt_batch(ctx, 20)
    batch = env.dir / "adt20.hl7"
    batch.write_bytes("".join(messages).encode())
    want, rejects = h.run_mapping(ctx.suture, ctx.pack()[0], "adt_to_partner", batch)
    check(not rejects and len(want) == 20, "the 20 ADT messages do not all map with `suture run`: %s" % h.short(rejects))
    address = host.address("hl7")
    with h.mllp_client.MllpClient(address[0], address[1], timeout=15) as client:
        acks = client.send_pipelined(messages)
    for i, (message, ack) in enumerate(zip(messages, acks)):
        sent = h.mllp_client.msh(message)[10]
        check(ack is not None, "message %d (%s): no ACK (got %d of 20)" % (i + 1, sent, sum(a is not None for a in acks)))
        a = h.mllp_client.parse_ack(ack)
        check(a["code"] == "AA" and a["control_id"] == sent,
              "ACK %d: expected AA for %s, got MSA %s|%s %s" % (i + 1, sent, a["code"], a["control_id"], a["text"] or a["error"]))
    refs = {w["ref"]: w for w in want}
    check(len(refs) == 20, "the 20 messages map to %d distinct refs" % len(refs))
    by_ref = wait_until(lambda: (lambda b: b if all(r in b for r in refs) else None)(partners_by_ref(odoo)),
                        20, "20 partners from the ADT messages")
    for ref, w in refs.items():
        check(len(by_ref[ref]) == 1, "%d partners with ref %s" % (len(by_ref[ref]), ref))
        compare_row(by_ref[ref][0], w, "partner %s" % ref)


@scenario("hl7_ack_codes")
def hl7_acks(ctx, env):
    odoo, _, _ = env.peers_up("odoo", "fhir", "sink")
    host = env.host(env.config(mllp=True))
    broken = h.mllp_client.set_field(ctx.data.hl7("ADT04-251.hl7")[0], "MSH", 10, "E2E-AE")  # no EVN: rejected
    unrouted = h.mllp_client.set_field(ctx.data.hl7("ORU-R01-01.hl7")[0], "MSH", 10, "E2E-AR")  # no route takes ORU^R01
    good = h.mllp_client.set_field(ctx.data.hl7("ADT-A01-01.hl7")[0], "MSH", 10, "E2E-AA")
    address = host.address("hl7")
    with h.mllp_client.MllpClient(address[0], address[1], timeout=15) as client:
        acks = client.send_pipelined([broken, unrouted, good])
    wants = [("AE", "E2E-AE", "a message the mapping rejects (ADT^A04 without EVN)"),
             ("AR", "E2E-AR", "a message no route takes (ORU^R01)"),
             ("AA", "E2E-AA", "a good ADT^A01 after them")]
    for ack, (code, control, what) in zip(acks, wants):
        check(ack is not None, "%s: no ACK" % what)
        a = h.mllp_client.parse_ack(ack)
        check(a["code"] == code and a["control_id"] == control,
              "%s: expected MSA|%s|%s, got MSA|%s|%s %s" % (what, code, control, a["code"], a["control_id"], a["text"] or a["error"]))
        if code == "AE":
            check("\rERR" in "\r" + a["raw"] or a["text"], "the AE carries neither an ERR segment nor MSA-3: %r" % a["raw"])
    wait_until(lambda: partners_by_ref(odoo).get("PATID1234"), 15, "the partner of the good ADT^A01")


@scenario("hl7_forward_to_mllp_peer")
def hl7_forward(ctx, env):
    _, _, _, peer = env.peers_up("odoo", "fhir", "sink", "mllp")
    host = env.host(env.config(mllp=True))
    address = host.address("hl7")
    samples = [ctx.data.hl7("SIU-S12-01.hl7")[0], ctx.data.hl7("SIU-S12-02.hl7")[0]]

    def siu(control, i=0):
        return h.mllp_client.set_field(samples[i % 2], "MSH", 10, control)

    def peer_got(control):
        return next((r for r in h.request("GET", peer.control_url + "/_records").json() if r["control_id"] == control), None)

    def send(message, what):
        with h.mllp_client.MllpClient(address[0], address[1], timeout=15) as client:
            ack = client.send(message)
        check(ack is not None, "%s: no ACK from the host" % what)
        a = h.mllp_client.parse_ack(ack)
        check(a["code"] == "AA", "%s: the host answered MSA %s %s" % (what, a["code"], a["text"] or a["error"]))

    sent = [siu("FWD-1", 0), siu("FWD-2", 1)]
    for i, message in enumerate(sent):
        send(message, "SIU^S12 %d" % (i + 1))
    for message in sent:
        control = h.mllp_client.msh(message)[10]
        got = wait_until(lambda: peer_got(control), 15, "the MLLP peer to receive %s" % control)
        check(h.mllp_client.segments(got["text"]) == h.mllp_client.segments(message),
              "%s was not forwarded as received: %r" % (control, got["text"][:200]))
    # The peer answers AE: a permanent error, a dead letter on the first attempt.
    h.request("POST", peer.control_url + "/_control", {"mode": "AE", "text": "unknown schedule"})
    send(siu("FWD-AE", 0), "SIU^S12 the peer refuses")

    def letter():
        return next((d for d in host.dead_letters() if d.get("endpoint") == "scheduler"), None)
    d = wait_until(letter, 15, "a dead letter for the message the MLLP peer answered AE")
    check("AE" in str(d.get("code", "")) and d.get("attempts") == 1, "the AE dead letter: %s" % h.short(d))
    # AR: rejected for now, retried; delivered once the peer accepts again.
    h.request("POST", peer.control_url + "/_control", {"mode": "AR"})
    retried = host.metrics().sum("suture_deliveries_retried_total")
    send(siu("FWD-AR", 1), "SIU^S12 while the peer answers AR")
    wait_until(lambda: host.metrics().sum("suture_deliveries_retried_total") > retried, 15, "a retry after MSA|AR")
    h.request("POST", peer.control_url + "/_control", {"mode": "AA"})
    wait_until(lambda: (lambda r: r if r and r["ack"] == "AA" else None)(
        next((r for r in reversed(h.request("GET", peer.control_url + "/_records").json()) if r["control_id"] == "FWD-AR"), None)),
        20, "FWD-AR accepted by the peer after the AR")


@scenario("odoo_json2_endpoint")
def odoo_json2(ctx, env):
    odoo, _, _ = env.peers_up("odoo", "fhir", "sink")
    host = env.host(env.config(odoo_kind="odoo-json2"))
    web = host.url("web")
    for name in ("pat2", "pat4"):
        accepted(post_patient(web, ctx.data.patient(name)), name)
    by_ref = wait_until(lambda: (lambda b: b if "123456" in b and "123458" in b else None)(partners_by_ref(odoo)), 20,
                        "the partners through Odoo's JSON-2 API")
    for name, ref in (("pat2", "123456"), ("pat4", "123458")):
        compare_row(by_ref[ref][0], expected_partner(ctx.data.patient(name))[1], name)
    stats = h.request("GET", odoo.control_url + "/_stats").json()
    check(stats["apis"].get("json2", 0) >= 2 and not stats["apis"].get("jsonrpc"),
          "the host did not use JSON-2 only: %s" % stats["apis"])
    odoo.control(required={"res.partner": ["email"]})
    accepted(post_patient(web, patient_variant(ctx.data.patient("pat2"), "j2-invalid", "J2-INVALID")), "a Patient Odoo refuses")
    d = wait_until(lambda: next((x for x in host.dead_letters() if x.get("endpoint") == "odoo"), None), 15,
                   "a dead letter for the JSON-2 ValidationError (HTTP 422)")
    check("VALIDATION" in str(d.get("code", "")), "the JSON-2 422 dead letter has code %r" % d.get("code"))


@scenario("ingress_rejections")
def ingress_rejections(ctx, env):
    odoo, _, _ = env.peers_up("odoo", "fhir", "sink")
    host = env.host(env.config(limited=True))
    web = host.url("web")
    problems = []

    def expect(label, r, status, code=None, needs_path=False):
        if r is None:
            problems.append("%s: the connection closed without a reply" % label)
            return
        body = r.json_or_none()
        if r.status != status or (code and (not isinstance(body, dict) or body.get("code") != code)):
            problems.append("%s: expected %s %s, got %s" % (label, status, code or "", r))
        elif needs_path and not (isinstance(body, dict) and body.get("path")):
            problems.append("%s: no path in %s" % (label, r))

    pat2 = ctx.data.patient("pat2")
    expect("malformed JSON", h.request("POST", web + "/fhir/Patient", b'{"resourceType": "Patient", "id": ', FHIR_HEADERS),
           400, "JSON_MALFORMED", needs_path=True)
    deep = {"resourceType": "Patient", "id": "deep", "extension": []}
    node = deep["extension"]
    for _ in range(100):
        node.append([])
        node = node[0]
    expect("JSON 100 levels deep", h.request("POST", web + "/fhir/Patient", deep, FHIR_HEADERS), 400, "JSON_TOO_DEEP", needs_path=True)
    big = dict(pat2, id="big", text={"status": "generated", "div": "<div>" + "x" * (2 << 20) + "</div>"})
    expect("a 2 MiB body (limit 1 MiB)", h.post_raw(web + "/fhir/Patient", big, FHIR_HEADERS), 413, "BODY_TOO_LARGE")
    no_key = {"Content-Type": "application/fhir+json"}
    expect("no API key", h.request("POST", web + "/fhir/Patient", pat2, no_key), 401, "AUTH_MISSING")
    expect("a wrong API key", h.request("POST", web + "/fhir/Patient", pat2, dict(no_key, Authorization="Bearer not-a-key-0123456789")),
           401, "AUTH_INVALID")
    expect("a wrong X-Api-Key", h.request("POST", web + "/fhir/Patient", pat2, dict(no_key, **{"X-Api-Key": "not-a-key-0123456789"})),
           401, "AUTH_INVALID")
    expect("no route", h.request("POST", web + "/fhir/NoSuchThing", pat2, FHIR_HEADERS), 404, "NO_ROUTE")
    expect("a Patient without a name", h.request("POST", web + "/fhir/Patient", ctx.data.patient("newborn"), FHIR_HEADERS),
           422, "PATIENT_UNNAMED", needs_path=True)
    secret = patient_variant(pat2, "restricted-1", "999001", meta={"security": [{"code": "R"}]})
    expect("a restricted Patient", h.request("POST", web + "/fhir/Patient", secret, FHIR_HEADERS), 403, "POLICY_DENIED")
    # The other ways to present a key.
    expect("X-Api-Key", h.request("POST", web + "/fhir/Patient", patient_variant(pat2, "xkey-1", "XK-1"),
                                  dict(no_key, **{"X-Api-Key": h.SECRETS["EHR_KEY"]})), 202)
    expect("?api_key=", h.request("POST", web + "/fhir/Patient?api_key=" + h.SECRETS["EHR_KEY"],
                                  patient_variant(pat2, "qkey-1", "QK-1"), no_key), 202)
    # A listener limited to 5/s with a burst of 5.
    limited = h.Client(host.url("limited"))
    statuses = Counter()
    for i in range(25):
        r = post_patient(limited, patient_variant(pat2, "rate-%d" % i, "RL-%d" % i))
        statuses[r.status] += 1
        if r.status == 429 and (r.json_or_none() or {}).get("code") != "RATE_LIMITED":
            problems.append("429 without code RATE_LIMITED: %s" % r)
    limited.close()
    if not statuses[202] or not statuses[429]:
        problems.append("25 requests at once on a 5/s listener: expected some 202 and some 429, got %s" % dict(statuses))
    # Still serving: a good Patient right after is accepted and delivered.
    check(host.alive(), "the host died during the rejections; output:\n%s" % host.tail())
    r = h.request("POST", web + "/fhir/Patient", pat2, FHIR_HEADERS)
    if r.status != 202:
        problems.append("a good Patient after the rejections: expected 202, got %s" % r)
    else:
        wait_until(lambda: partners_by_ref(odoo).get("123456"), 15, "the good Patient's partner")
    check(not problems, "; ".join(problems))


@scenario("endpoint_down_then_delivered")
def endpoint_down(ctx, env):
    odoo, _, _ = env.peers_up("odoo", "fhir", "sink")
    host = env.host()
    web = host.url("web")
    odoo.control(mode="down")
    accepted(post_patient(web, ctx.data.patient("pat2")), "pat2 while Odoo is down")
    wait_until(lambda: host.metrics().sum("suture_deliveries_retried_total") > 0, 15,
               "suture_deliveries_retried_total > 0 while Odoo answers 503")
    check(not partners_by_ref(odoo).get("123456"), "a partner appeared while Odoo was down")
    m = host.metrics()
    depth = [v for l, v in m.series("suture_queue_depth") if l.get("endpoint") == "odoo"]
    age = [v for l, v in m.series("suture_oldest_message_age_seconds") if l.get("endpoint") == "odoo"]
    check(depth and depth[0] >= 1, "while Odoo is down, suture_queue_depth{endpoint=\"odoo\"} is %s (expected ≥ 1)" % depth)
    check(age and age[0] > 0, "while Odoo is down, suture_oldest_message_age_seconds{endpoint=\"odoo\"} is %s (expected > 0)" % age)
    odoo.control(mode="ok")
    wait_until(lambda: partners_by_ref(odoo).get("123456"), 30, "the partner once Odoo is back")
    wait_until(lambda: host.metrics().sum("suture_deliveries_delivered_total") >= 1, 10,
               "suture_deliveries_delivered_total to count the delivery")
    # Connections dropped before Odoo answers: retried, then delivered once.
    odoo.control(mode="drop")
    accepted(post_patient(web, patient_variant(ctx.data.patient("pat4"), "drop-1", "DROP-1")), "a Patient while Odoo drops connections")
    retried = host.metrics().sum("suture_deliveries_retried_total")
    wait_until(lambda: host.metrics().sum("suture_deliveries_retried_total") > retried, 15, "a retry after a dropped connection")
    odoo.control(mode="ok")
    by_ref = wait_until(lambda: partners_by_ref(odoo).get("DROP-1"), 30, "the partner once Odoo stops dropping connections")
    check(len(by_ref) == 1, "%d partners with ref DROP-1" % len(by_ref))
    # Every other call failing (a single-call delivery: contacts forwarded to the webhook
    # receiver): each delivered, once.
    sink = env.peers["sink"]
    sink.control(mode="flaky")
    hook = next(w for w in ctx.data.webhooks() if w["body"]["_model"] == "res.partner")
    keys = []
    for i in range(6):
        body = dict(hook["body"], id=1000 + i, _id=1000 + i)
        keys.append(body["id"])
        accepted(h.request("POST", web + "/odoo/res.partner?api_key=" + h.SECRETS["ODOO_HOOK_KEY"], body), "webhook %d" % i)

    def delivered():
        got = Counter((r.get("body") or {}).get("id") for r in sink.records())
        return got if all(k in got for k in keys) else None
    got = wait_until(delivered, 30, "6 contacts through a receiver failing every other call", interval=0.2)
    twice = {k: n for k, n in got.items() if n > 1}
    check(not twice, "delivered twice through a flaky receiver: %s" % twice)


@scenario("dead_letter_then_replay")
def dead_letter(ctx, env):
    odoo, _, _ = env.peers_up("odoo", "fhir", "sink")
    host = env.host()
    odoo.control(required={"res.partner": ["email"]})  # a ValidationError for a partner without e-mail
    accepted(post_patient(host.url("web"), ctx.data.patient("pat2")), "pat2")

    def letter():
        for d in host.dead_letters():
            if d.get("route") == PATIENT_ROUTE and d.get("endpoint") == "odoo":
                return d
    d = wait_until(letter, 20, "a dead letter for pat2 (Odoo answered ValidationError)")
    check("VALIDATION" in str(d.get("code", "")), "the dead letter's code is %r, expected the Odoo validation error" % d.get("code"))
    check(d.get("attempts") == 1, "a permanent error was tried %s times (expected 1: no retries)" % d.get("attempts"))
    for member in ("id", "endpoint", "route", "code", "error", "attempts"):
        check(member in d, "the dead letter has no %r: %s" % (member, h.short(d)))
    check(host.metrics().sum("suture_deliveries_dead_total") >= 1, "suture_deliveries_dead_total did not count it")
    r = host.admin("GET", "/admin/dead-letters", key=False)
    check(r.status == 401, "the dead letters without an admin key: expected 401, got %s" % r)
    check(not partners_by_ref(odoo).get("123456"), "a partner exists although Odoo refused it")
    odoo.control(required={})  # the fix on the Odoo side
    r = host.admin("POST", "/admin/dead-letters/%s/replay" % d["id"])
    check(r.status == 200, "replay answered %s" % r)
    wait_until(lambda: partners_by_ref(odoo).get("123456"), 20, "the partner after the replay")
    wait_until(lambda: not any(x.get("id") == d["id"] for x in host.dead_letters()), 10, "the replayed dead letter to leave the list")


@scenario("kill9_accepted_not_lost")
def kill9(ctx, env):
    odoo, _, _ = env.peers_up("odoo", "fhir", "sink")
    config = env.config()
    host = env.host(config)
    web = host.url("web")
    base = ctx.data.patient("pat2")
    got = []  # MRNs that got a 202
    lock = threading.Lock()
    stop = threading.Event()
    errors = Counter()

    def post_loop(worker):
        client = h.Client(web, timeout=5, retry_idle_close=False)
        i = 0
        while not stop.is_set():
            mrn = "K9-%d-%d" % (worker, i)
            i += 1
            try:
                r = post_patient(client, patient_variant(base, mrn.lower(), mrn))
            except OSError as error:
                errors[type(error).__name__] += 1
                client.close()
                if not host.alive():
                    return
                continue
            if r.status == 202:
                with lock:
                    got.append(mrn)
            else:
                errors[r.status] += 1
        client.close()

    # Odoo answers slowly during the load, so that deliveries are still waiting when the host dies.
    odoo.control(mode="slow", ms=20)
    threads = [threading.Thread(target=post_loop, args=(w,), daemon=True) for w in range(3)]
    for t in threads:
        t.start()
    started = time.monotonic()
    while time.monotonic() - started < 4.0 and len(got) < 1500:
        time.sleep(0.02)
    host.kill9()
    stop.set()
    for t in threads:
        t.join(10)
    accepted_refs = set(got)
    odoo.control(mode="ok")
    before = sum(1 for r in partners_by_ref(odoo, []) if r in accepted_refs)
    ctx.note("%d accepted before kill -9 (%.1fs), %d of them delivered by then; errors: %s"
             % (len(accepted_refs), time.monotonic() - started, before, dict(errors)))
    check(len(accepted_refs) >= 20, "only %d messages were accepted before the kill (errors %s)" % (len(accepted_refs), dict(errors)))
    # Restart on the same store (other ports: the old ones may still be in TIME_WAIT).
    again = copy.deepcopy(config)
    again["listeners"][0]["listen"] = "127.0.0.1:%d" % h.free_port()
    again["admin"]["listen"] = "127.0.0.1:%d" % h.free_port()
    env.host(again, name="host-restarted")

    def missing():
        refs = partners_by_ref(odoo, [])
        left = [r for r in accepted_refs if r not in refs]
        return ("done", refs) if not left else None
    try:
        _, refs = wait_until(missing, 60, "every accepted message in Odoo", interval=0.25)
    except Failure:
        refs = partners_by_ref(odoo, [])
        left = sorted(r for r in accepted_refs if r not in refs)
        raise Failure("%d of %d accepted messages were lost after kill -9 and restart (e.g. %s)" % (len(left), len(accepted_refs), left[:5]))
    dupes = {r: len(v) for r, v in refs.items() if r in accepted_refs and len(v) > 1}
    check(not dupes, "partners made twice after the restart: %s" % h.short(dupes))


@scenario("hot_reload_no_failed_request")
def hot_reload(ctx, env):
    odoo, _, sink = env.peers_up("odoo", "fhir", "sink")
    main_pack, _ = ctx.pack("main")
    reload_pack, _ = ctx.pack("reload")
    live = env.dir / "live.spk"
    shutil.copyfile(main_pack, live)
    host = env.host(env.config(packs=[live]))
    web = host.url("web")
    marker = patient_variant(ctx.data.patient("pat2"), "marker", "MARKER")
    r = h.request("POST", web + "/e2e/reload-marker", marker, FHIR_HEADERS)
    check(r.status == 404, "before the reload, the marker route should not exist: %s" % r)
    got, failures = [], []
    stop = threading.Event()

    def post_loop(worker):
        client = h.Client(web, timeout=10, retry_idle_close=False)
        i = 0
        while not stop.is_set():
            mrn = "HR-%d-%d" % (worker, i)
            i += 1
            try:
                r = post_patient(client, patient_variant(ctx.data.patient("pat2"), mrn.lower(), mrn))
            except OSError as error:
                failures.append("%s: %s %s" % (mrn, type(error).__name__, error))
                client.close()
                continue
            if r.status == 202:
                got.append(mrn)
            else:
                failures.append("%s: %s" % (mrn, r))
        client.close()

    threads = [threading.Thread(target=post_loop, args=(w,), daemon=True) for w in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    staged = env.dir / "live.spk.new"
    shutil.copyfile(reload_pack, staged)
    os.replace(staged, live)
    host.signal(signal.SIGHUP)
    time.sleep(1.0)
    host.signal(signal.SIGHUP)
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(15)
    check(host.alive(), "the host exited on SIGHUP; output:\n%s" % host.tail())
    check(not failures, "%d requests failed during the reloads, e.g. %s" % (len(failures), failures[:3]))
    check(len(got) >= 10, "only %d requests went through in 2.5 s" % len(got))
    r = h.request("POST", web + "/e2e/reload-marker", marker, FHIR_HEADERS)
    check(r.status == 202, "after SIGHUP the new pack's route does not answer (the reload did not happen?): %s" % r)
    wait_until(lambda: (lambda b: all(m in b for m in got))(partners_by_ref(odoo, [])), 40,
               "the %d Patients accepted during the reloads in Odoo" % len(got), interval=0.25)
    wait_until(lambda: sink.calls().get("by_path", {}).get("/reload-marker"), 15, "the marker delivered to the sink")


@scenario("metrics_and_health")
def metrics_health(ctx, env):
    odoo, _, _ = env.peers_up("odoo", "fhir", "sink")
    host = env.host()
    web = host.url("web")
    admin = host.url("admin")
    for path in ("/healthz", "/readyz"):
        r = h.request("GET", admin + path)
        check(r.status == 200, "GET %s answered %s" % (path, r))
    accepted(post_patient(web, ctx.data.patient("pat2")), "pat2")
    h.request("POST", web + "/fhir/Patient", b"{not json", FHIR_HEADERS)
    wait_until(lambda: partners_by_ref(odoo).get("123456"), 15, "the partner")
    m = wait_until(lambda: (lambda m: m if m.sum("suture_deliveries_delivered_total") >= 1 else None)(host.metrics()), 10,
                   "suture_deliveries_delivered_total ≥ 1")
    missing = [n for n in ("suture_messages_received_total", "suture_messages_accepted_total", "suture_messages_rejected_total",
                           "suture_deliveries_delivered_total", "suture_deliveries_retried_total", "suture_deliveries_dead_total",
                           "suture_delivery_latency_seconds", "suture_queue_depth", "suture_oldest_message_age_seconds")
               if not m.has(n)]
    check(not missing, "/metrics lacks %s" % missing)
    # (suture_queue_depth and suture_oldest_message_age_seconds by endpoint are checked with
    # a delivery waiting, in endpoint_down_then_delivered.)
    received = m.series("suture_messages_received_total")
    check(any(l.get("route") == PATIENT_ROUTE and l.get("listener") == "web" and v >= 1 for l, v in received),
          "suture_messages_received_total{route=%s,listener=web} is not counted: %s" % (PATIENT_ROUTE, h.short(received)))
    check(any(v >= 1 for l, v in m.series("suture_messages_rejected_total")), "the malformed request is not in suture_messages_rejected_total")
    check(m.sum("suture_delivery_latency_seconds_count") >= 1 and m.series("suture_delivery_latency_seconds_bucket"),
          "suture_delivery_latency_seconds is not a histogram with observations")


@scenario("config_check_and_sigterm")
def config_and_sigterm(ctx, env):
    env.peers_up("odoo", "fhir", "sink")
    good = env.config()
    path = h.write_config(env.dir / "good.yaml", good)
    code, err = h.check_config(ctx.host_bin, path)
    check(code == 0, "--check-config on a valid configuration exited %s: %s" % (code, err.strip()[-500:]))
    bad = copy.deepcopy(good)
    del bad["store"]
    bad["listeners"][0]["kind"] = "htp"
    bad["endpoints"]["odoo"]["url"] = "not a url"
    bad["principals"].append({"id": "short", "api_keys": [{"env": "SHORT_KEY"}]})
    bad_path = env.dir / "bad.yaml"
    h.write_config(bad_path, bad)
    code, err = h.check_config(ctx.host_bin, bad_path)
    located = [l for l in err.splitlines() if l.startswith(str(bad_path) + ":")]
    check(code == 2, "a bad configuration: expected exit 2, got %s (%s)" % (code, err.strip()[-300:]))
    check(len(located) >= 3, "a configuration with 4 problems listed %d as file:line: message:\n%s" % (len(located), err))
    # SIGTERM drains and exits 0.
    host = env.host()
    accepted(post_patient(host.url("web"), ctx.data.patient("pat2")), "pat2")
    host.signal(signal.SIGTERM)
    code = host.wait(20)
    check(code == 0, "after SIGTERM the host exited with %s (expected 0 within 20 s); output:\n%s" % (code, host.tail()))


# ---------------------------------------------------------------------------- runner


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=str(h.ROOT / "build" / "bin" / "suture-host"))
    parser.add_argument("--suture", default=str(h.ROOT / "build" / "bin" / "suture"))
    parser.add_argument("--data", default=str(h.ROOT.parent / "shared" / "data"))
    parser.add_argument("--filter", default=None, help="run the scenarios whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--verbose", "-v", action="store_true", help="details and, on failure, the output of the processes")
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    args = parser.parse_args(argv)
    if args.list:
        for name, _ in SCENARIOS:
            print(name)
        return 0
    chosen = [(n, f) for n, f in SCENARIOS if not args.filter or args.filter in n]
    if not chosen:
        print("no scenario matches %r" % args.filter)
        print("0 passed, 0 failed")
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="suture-e2e-"))
    passed = failed = 0
    try:
        ctx = Context(args, tmp)
        check(Path(ctx.host_bin).is_file(), "the host binary %s does not exist (build it first)" % ctx.host_bin)
    except Failure as error:
        shutil.rmtree(tmp, ignore_errors=True)
        for name, _ in chosen:
            print("FAIL %s: %s" % (name, str(error).splitlines()[0]), flush=True)
        print("%d passed, %d failed" % (0, len(chosen)))
        return 1
    for name, fn in chosen:
        env = Env(ctx, name)
        started = time.monotonic()
        try:
            fn(ctx, env)
            passed += 1
            print("ok %s" % name, flush=True)
            ctx.note("%.1fs" % (time.monotonic() - started))
        except Exception as error:
            failed += 1
            why = str(error) if isinstance(error, Failure) else "%s: %s" % (type(error).__name__, error)
            lines = why.splitlines() or ["(no message)"]
            print("FAIL %s: %s" % (name, lines[0]), flush=True)
            if args.verbose:
                for line in lines[1:]:
                    print("    " + line)
                if not isinstance(error, Failure):
                    traceback.print_exc()
                print("    logs: %s" % env.dir)
        finally:
            env.close()
    if failed and not args.keep:
        print("logs kept in %s" % tmp)
    elif not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
