#!/usr/bin/env python3
"""demo_host.py — the host part of the README's demo: builds the reference packs, starts
suture-host on examples/host/demo.yaml (SQLite store) with local stand-in Odoo and FHIR
servers, feeds it the sample messages (FHIR resources over HTTP, Odoo's captured webhooks,
HL7 v2 ADT over MLLP, and a few bad ones), waits for delivery, and shows what happened:
each reply, what reached Odoo and the FHIR server, the dead letters and the metrics.

  scripts/demo_host.py [--build build]
"""
import argparse, json, os, signal, socket, subprocess, sys, time, urllib.error, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
KEYS = {"DEMO_ODOO_PASSWORD": "admin", "DEMO_EHR_KEY": "demo-ehr-key-0123456789",
        "DEMO_ODOO_WEBHOOK_KEY": "demo-odoo-webhook-0123456789", "DEMO_ADMIN_KEY": "demo-admin-key-0123456789"}
WEB, HL7, ADMIN, ODOO, FHIR = 18090, 18091, 18092, 18069, 18080


def start(cmd, ready, env=None):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        if ready in line:
            return p
    p.kill()
    sys.exit(f"demo: {cmd[0]} did not start ({ready!r} never printed)")


def http(method, url, body=None, headers=None):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def mllp(messages):
    acks = []
    with socket.create_connection(("127.0.0.1", HL7), timeout=10) as s:
        for m in messages:  # pipelined: every frame first, then the ACKs
            s.sendall(b"\x0b" + m + b"\x1c\x0d")
        buf = b""
        while len(acks) < len(messages):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            while b"\x1c\x0d" in buf:
                frame, buf = buf.split(b"\x1c\x0d", 1)
                acks.append(frame.lstrip(b"\x0b").decode(errors="replace"))
    return acks


def show(title):
    print(f"\n== {title}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    args = ap.parse_args()
    bin_dir = Path(args.build) / "bin"
    demo = ROOT / "build" / "demo"
    demo.mkdir(parents=True, exist_ok=True)
    for f in demo.glob("suture.db*"):
        f.unlink()
    show("suture build specs -o build/demo/specs.spk  (every reference mapping, policy and route)")
    subprocess.run([str(bin_dir / "suture"), "build", "specs", "-o", str(demo / "specs.spk")], cwd=ROOT, check=True)
    env = dict(os.environ, **KEYS)
    procs = [start([sys.executable, str(ROOT / "tests/host/standins/odoo_standin.py"), "--port", str(ODOO),
                    "--data", str(DATA)], "ready"),
             start([sys.executable, str(ROOT / "tests/host/standins/fhir_standin.py"), "--port", str(FHIR)], "ready")]
    host = start([str(bin_dir / "suture-host"), "--config", str(ROOT / "examples/host/demo.yaml")], "listening", env)
    procs.append(host)
    try:
        ehr = {"Authorization": "Bearer " + KEYS["DEMO_EHR_KEY"], "Content-Type": "application/fhir+json"}
        web = f"http://127.0.0.1:{WEB}"
        show("FHIR resources from the EHR (POST, API key)")
        sends = [("/fhir/Patient", ROOT / "specs/patients/fixtures/patient-pat2.json", ehr),
                 ("/fhir/Patient", ROOT / "specs/patients/fixtures/patient-pat2.json", ehr),
                 ("/fhir/Patient", DATA / "fhir-r4/examples/Patient-f001.json", ehr),
                 ("/fhir/ServiceRequest", ROOT / "specs/referrals/fixtures/ServiceRequest-colonoscopy.json", ehr),
                 ("/fhir/Appointment", ROOT / "specs/scheduling/fixtures/Appointment-2docs.json", ehr)]
        for path, file, headers in sends:
            status, body = http("POST", web + path, file.read_bytes(), headers)
            print(f"  {status} {path:22} {file.name:34} {body}")
        show("bad input: refused with a code, and the host keeps serving")
        for label, path, body, headers in [
                ("not JSON", "/fhir/Patient", b"{not json", ehr),
                ("too deep", "/fhir/Patient", b"[" * 100 + b"]" * 100, ehr),
                ("no key", "/fhir/Patient", b"{}", {}),
                ("wrong key", "/fhir/Patient", b"{}", {"X-Api-Key": "not-a-key-0123456789"}),
                ("no route", "/fhir/Observation", b"{}", ehr),
                ("no name", "/fhir/Patient", b'{"resourceType":"Patient","id":"x"}', ehr)]:
            status, reply = http("POST", web + path, body, headers)
            print(f"  {status} {label:10} {reply}")
        show("Odoo's captured webhooks (57 POSTs, duplicates included; key in the URL as Odoo sends it)")
        tally = {}
        for line in (DATA / "odoo17/webhooks.jsonl").read_text().splitlines():
            w = json.loads(line)
            status, reply = http("POST", web + w["path"] + "?api_key=" + KEYS["DEMO_ODOO_WEBHOOK_KEY"], w["body"],
                                 {"Content-Type": "application/json"})
            r = json.loads(reply)
            key = (w["path"], status, r.get("route") or r.get("code"), "duplicate" if r.get("duplicates") else "")
            tally[key] = tally.get(key, 0) + 1
        for (path, status, what, dup), n in sorted(tally.items()):
            print(f"  {n:3} x {status} {path:28} {what} {dup}")
        show("HL7 v2 ADT over MLLP (pipelined; one ACK per message, in order)")
        files = sorted((DATA / "hl7v2").glob("ADT-A0[148]-0*.hl7"))
        msgs = [f.read_bytes().replace(b"\r\n", b"\r").replace(b"\n", b"\r").strip(b"\r") for f in files]
        for f, ack in zip(files, mllp(msgs)):
            msa = next((s for s in ack.split("\r") if s.startswith("MSA")), "")
            print(f"  {f.name:16} {msa}")
        show("waiting for delivery")
        admin = f"http://127.0.0.1:{ADMIN}"
        for _ in range(100):
            metrics = http("GET", admin + "/metrics")[1]
            depth = sum(float(l.split()[-1]) for l in metrics.splitlines() if l.startswith("suture_queue_depth"))
            if depth == 0:
                break
            time.sleep(0.1)
        show("what reached Odoo (stand-in)")
        for model in ("res.partner", "project.task", "calendar.event"):
            records = json.loads(http("GET", f"http://127.0.0.1:{ODOO}/_records/{model}")[1])
            for r in records:
                print(f"  {model:15} #{r['id']}: {r.get('name')!r} ref={r.get('ref')!r}" if model == "res.partner"
                      else f"  {model:15} #{r['id']}: {r.get('name')!r}")
        show("what reached the FHIR server (stand-in)")
        for rtype in ("Patient", "Organization", "SupplyDelivery", "Task"):
            for r in json.loads(http("GET", f"http://127.0.0.1:{FHIR}/_records/{rtype}")[1]):
                print(f"  {rtype}/{r['id']} status={r.get('status')} version={r.get('meta', {}).get('versionId')}")
        show("dead letters (GET /admin/dead-letters)")
        status, letters = http("GET", admin + "/admin/dead-letters",
                               headers={"Authorization": "Bearer " + KEYS["DEMO_ADMIN_KEY"]})
        for d in json.loads(letters):
            print(f"  #{d['id']} {d['route']} → {d['endpoint']}: {d['code']}: {d['error']}")
        show("metrics (GET /metrics, counters)")
        for l in http("GET", admin + "/metrics")[1].splitlines():
            if l.startswith("suture_") and "_bucket" not in l and not l.endswith(" 0"):
                print("  " + l)
    finally:
        host.send_signal(signal.SIGTERM)
        try:
            host.wait(timeout=10)
        except subprocess.TimeoutExpired:
            host.kill()
        for p in procs:
            if p.poll() is None:
                p.terminate()
    print(f"\nhost stopped; store, audit log: {demo}/suture.db, {demo}/audit.jsonl")


if __name__ == "__main__":
    main()
