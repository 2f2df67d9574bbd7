#!/usr/bin/env python3
"""MLLP framing and a small MLLP client for tests: send HL7 v2 messages (one at a time or
pipelined, many frames before reading), read the ACKs back in order, parse MSA/ERR.

  from mllp_client import MllpClient, load_messages, parse_ack
  with MllpClient("127.0.0.1", port) as c:
      acks = c.send_pipelined(messages)          # [ack text, …] in the order sent
      parse_ack(acks[0])["code"]                 # "AA", "AE", "AR", …

  python3 mllp_client.py --port N FILE.hl7… [--pipeline]   # prints MSA of each ACK
"""

import argparse
import socket
import sys
import time

VT = b"\x0b"
FS = b"\x1c"
CR = b"\x0d"


def frame(message):
    """<VT> message <FS><CR>; a str is encoded as UTF-8."""
    if isinstance(message, str):
        message = message.encode("utf-8")
    return VT + message + FS + CR


class FrameReader:
    """Accumulates bytes and yields complete MLLP payloads (bytes between VT and FS CR)."""

    def __init__(self, max_frame=16 << 20):
        self.buffer = bytearray()
        self.max_frame = max_frame

    def feed(self, data):
        self.buffer += data
        out = []
        while True:
            start = self.buffer.find(VT)
            if start < 0:
                self.buffer.clear()  # bytes outside a frame are noise
                return out
            end = self.buffer.find(FS + CR, start + 1)
            if end < 0:
                if start > 0:
                    del self.buffer[:start]
                if len(self.buffer) > self.max_frame:
                    raise ValueError("an MLLP frame is longer than %d bytes" % self.max_frame)
                return out
            out.append(bytes(self.buffer[start + 1:end]))
            del self.buffer[:end + 2]


def normalise(text):
    """A message as sent on the wire: no BOM, segments ended by \\r."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = text.lstrip("\ufeff")
    text = text.replace("\r\n", "\r").replace("\n", "\r")
    return "\r".join(s for s in text.split("\r") if s.strip()) + "\r"


def load_messages(path):
    """The messages of an ER7 file (each starts at an MSH segment), normalised."""
    with open(path, "rb") as f:
        text = normalise(f.read())
    out, current = [], []
    for segment in text.split("\r"):
        if not segment:
            continue
        if segment.startswith("MSH") and current:
            out.append("\r".join(current) + "\r")
            current = []
        current.append(segment)
    if current:
        out.append("\r".join(current) + "\r")
    return out


def segments(message):
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return [s for s in message.replace("\n", "\r").split("\r") if s]


def msh(message):
    """MSH fields indexed by HL7 number: msh(m)[10] is MSH-10. {} without an MSH."""
    segs = segments(message)
    if not segs or not segs[0].startswith("MSH") or len(segs[0]) < 4:
        return {}
    sep = segs[0][3]
    parts = segs[0].split(sep)
    fields = {1: sep}
    for i, value in enumerate(parts[1:], start=2):
        fields[i] = value
    return fields


def set_field(message, segment_id, number, value, repetition_component=None):
    """A copy of `message` with field `number` of the first `segment_id` segment replaced
    (for MSH, number counts as HL7 does: MSH-10 is the control id). With
    repetition_component=(rep, comp), only that component of that repetition is replaced."""
    segs = segments(message)
    sep = segs[0][3] if segs and segs[0].startswith("MSH") else "|"
    enc = segs[0].split(sep)[1] if segs and segs[0].startswith("MSH") else "^~\\&"
    component, repetition = enc[0], enc[1]
    for i, seg in enumerate(segs):
        if not seg.startswith(segment_id + sep) and seg != segment_id:
            continue
        parts = seg.split(sep)
        index = number - 1 if segment_id == "MSH" else number
        while len(parts) <= index:
            parts.append("")
        if repetition_component is None:
            parts[index] = value
        else:
            rep, comp = repetition_component
            reps = parts[index].split(repetition)
            while len(reps) <= rep:
                reps.append("")
            comps = reps[rep].split(component)
            while len(comps) <= comp:
                comps.append("")
            comps[comp] = value
            reps[rep] = component.join(comps)
            parts[index] = repetition.join(reps)
        segs[i] = sep.join(parts)
        break
    return "\r".join(segs) + "\r"


def parse_ack(message):
    """{"code": MSA-1, "control_id": MSA-2, "text": MSA-3, "error": ERR-8 or ERR-3 text,
    "type": MSH-9, "raw": the message}"""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    head = msh(message)
    out = {"code": None, "control_id": None, "text": "", "error": "", "type": head.get(9, ""), "raw": message}
    sep = head.get(1, "|")
    comp = head.get(2, "^")[:1] or "^"
    for seg in segments(message):
        parts = seg.split(sep)
        if parts[0] == "MSA" and out["code"] is None:
            out["code"] = parts[1] if len(parts) > 1 else ""
            out["control_id"] = parts[2] if len(parts) > 2 else ""
            out["text"] = parts[3] if len(parts) > 3 else ""
        elif parts[0] == "ERR" and not out["error"]:
            err8 = parts[8] if len(parts) > 8 else ""
            err3 = parts[3].split(comp) if len(parts) > 3 else []
            out["error"] = err8 or (err3[1] if len(err3) > 1 else "") or (parts[1] if len(parts) > 1 else "")
    return out


class MllpClient:
    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.timeout = timeout
        self.reader = FrameReader()
        self.pending = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send_frame(self, message):
        self.sock.sendall(frame(message))

    def read_ack(self, timeout=None):
        """The next ACK as text, or None when the peer closed or went silent for `timeout`."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                return None
            if not data:
                return None
            self.pending.extend(self.reader.feed(data))
        return self.pending.pop(0).decode("utf-8", "replace")

    def send(self, message, timeout=None):
        self.send_frame(message)
        return self.read_ack(timeout)

    def send_pipelined(self, messages, timeout=None):
        """Writes every frame before reading; returns the ACKs read (None for missing ones)."""
        self.sock.sendall(b"".join(frame(m) for m in messages))
        return [self.read_ack(timeout) for _ in messages]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Send HL7 v2 files over MLLP and print the ACKs.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pipeline", action="store_true", help="send every frame before reading")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    messages = [m for path in args.files for m in load_messages(path)]
    with MllpClient(args.host, args.port, args.timeout) as client:
        acks = client.send_pipelined(messages) if args.pipeline else [client.send(m) for m in messages]
    bad = 0
    for message, ack in zip(messages, acks):
        sent = msh(message).get(10, "")
        if ack is None:
            print("%s: no ACK" % sent)
            bad += 1
            continue
        a = parse_ack(ack)
        print("%s: %s %s %s" % (sent, a["code"], a["control_id"], a["text"] or a["error"]))
        bad += a["code"] not in ("AA", "CA")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
