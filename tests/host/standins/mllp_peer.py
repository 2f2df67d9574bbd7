#!/usr/bin/env python3
"""An MLLP server that answers every HL7 v2 message with an ACK, in order, pipelining
allowed (frames <VT> … <FS><CR>).

  python3 mllp_peer.py --port N [--mode AA|AE|AR|silent] [--control-port M] [--delay-ms D]

ACK: MSH with sending and receiving application/facility swapped, MSH-9 ACK^<event>^ACK,
MSH-12 the message's version; MSA|<mode>|<MSH-10 of the message>; AE and AR add an ERR
segment (ERR-3 a HL7 0357 code, ERR-4 E, ERR-8 the text). A frame without an MSH gets AR.
`silent` reads and records but never answers.

The side HTTP port (--control-port, 0 = any free one; -1 = none) takes
POST /_control {"mode": "AA"|"AE"|"AR"|"silent", "delay_ms": N, "text": "…"},
GET /_records (every message: n, control_id, type, sending, ack, text), GET /_calls
({"received", "by_type", "acks"}), POST /_reset. It prints `control <port>` before
`ready <mllp port>`.
"""

import argparse
import json
import signal
import socket
import socketserver
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import standin_base as base  # noqa: E402
from mllp_client import FrameReader, frame, msh  # noqa: E402

MODES = ("AA", "AE", "AR", "silent")
ERR_CODES = {"AE": "207^Application internal error^HL70357", "AR": "200^Unsupported message type^HL70357"}


class Peer:
    def __init__(self, mode, delay_ms):
        self.lock = threading.Lock()
        self.initial = (mode, delay_ms)
        self.reset()
        self.ack_counter = 0

    def reset(self):
        with self.lock:
            self.mode, self.delay_ms = self.initial
            self.text = ""
            self.records = []
            self.acks = Counter()
            self.by_type = Counter()

    def configure(self, spec):
        mode = spec.get("mode", self.mode)
        if mode not in MODES:
            raise ValueError("unknown mode %r; use one of %s" % (mode, ", ".join(MODES)))
        with self.lock:
            self.mode = mode
            self.delay_ms = int(spec.get("delay_ms", self.delay_ms))
            self.text = str(spec.get("text", ""))
        return self.describe()

    def describe(self):
        with self.lock:
            return {"mode": self.mode, "delay_ms": self.delay_ms, "text": self.text}

    def answer(self, payload):
        """Record one message; → the ACK bytes, or None to stay silent."""
        text = payload.decode("utf-8", "replace")
        head = msh(text)
        with self.lock:
            mode, delay, note = self.mode, self.delay_ms, self.text
            code = mode if head else ("AR" if mode != "silent" else "silent")
            self.ack_counter += 1
            ack_id = "ACK%06d" % self.ack_counter
            record = {
                "n": len(self.records) + 1,
                "control_id": head.get(10, ""),
                "type": head.get(9, ""),
                "sending": "%s|%s" % (head.get(3, ""), head.get(4, "")),
                "ack": code,
                "text": text,
            }
            self.records.append(record)
            self.acks[code] += 1
            self.by_type[head.get(9, "")] += 1
        if delay:
            time.sleep(delay / 1000.0)
        if code == "silent":
            return None
        return frame(build_ack(head, code, ack_id, note or ("" if code == "AA" else
                                                             "no MSH segment" if not head else "rejected by the peer")))


def build_ack(head, code, ack_id, note):
    sep = head.get(1, "|")
    enc = head.get(2, "^~\\&")
    comp = enc[:1] or "^"
    event = head.get(9, "").split(comp)
    trigger = event[1] if len(event) > 1 else ""
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    msh_fields = ["MSH", enc, head.get(5, ""), head.get(6, ""), head.get(3, ""), head.get(4, ""), stamp, "",
                  comp.join(["ACK", trigger, "ACK"]) if trigger else "ACK", ack_id, head.get(11, "P") or "P",
                  head.get(12, "2.5") or "2.5"]
    msa = ["MSA", code, head.get(10, "")]
    if code != "AA" and note:
        msa.append(note)
    segs = [sep.join(msh_fields), sep.join(msa)]
    if code in ERR_CODES:
        segs.append(sep.join(["ERR", "", "", ERR_CODES[code].replace("^", comp), "E", "", "", "", note]))
    return "\r".join(segs) + "\r"


class MllpHandler(socketserver.BaseRequestHandler):
    def handle(self):
        peer = self.server.peer
        reader = FrameReader()
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            try:
                payloads = reader.feed(data)
            except ValueError:
                return
            out = b""
            for payload in payloads:
                ack = peer.answer(payload)
                if ack:
                    out += ack
            if out:
                try:
                    sock.sendall(out)
                except OSError:
                    return


class MllpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class ControlHandler(base.Handler):
    def control_route(self, path, query, body):
        peer = self.server.app
        if path == "/_control" and self.command == "POST":
            try:
                spec = json.loads(body or b"{}")
                if not isinstance(spec, dict):
                    raise ValueError("expected a JSON object")
                return self.send_json(200, peer.configure(spec))
            except (ValueError, TypeError) as error:
                return self.send_json(400, {"error": str(error)})
        if path == "/_control":
            return self.send_json(200, peer.describe())
        if path == "/_reset" and self.command == "POST":
            peer.reset()
            return self.send_json(200, {"status": "reset"})
        if path == "/_records":
            with peer.lock:
                return self.send_json(200, list(peer.records))
        if path == "/_calls":
            with peer.lock:
                return self.send_json(200, {"received": len(peer.records), "by_type": dict(peer.by_type), "acks": dict(peer.acks)})
        return self.send_json(404, {"error": "no such control route"})


def main(argv=None):
    parser = argparse.ArgumentParser(description="An MLLP peer answering ACKs.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--mode", default="AA", choices=MODES)
    parser.add_argument("--delay-ms", type=int, default=0, help="wait this long before each ACK")
    parser.add_argument("--control-port", type=int, default=0, help="side HTTP control port (0: any free one, -1: none)")
    parser.add_argument("--data", default=None, help="accepted for symmetry with the other stand-ins; unused")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)

    peer = Peer(args.mode, args.delay_ms)
    server = MllpServer((args.host, args.port), MllpHandler)
    server.peer = peer
    control = None
    if args.control_port >= 0:
        ControlHandler.verbose = args.verbose
        control = base.QuietServer((args.host, args.control_port), ControlHandler)
        control.app = peer
        control.faults = base.Faults()
        threading.Thread(target=control.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        print("control %d" % control.server_address[1], flush=True)

    def on_signal(signum, frame_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("ready %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if control:
            control.shutdown()
            control.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
