#!/usr/bin/env python3
"""A stand-in FHIR R4 server over an in-memory store, strict about what it takes.

  python3 fhir_standin.py --port N [--data DIR] [--lenient]

Interactions:
  POST /<Type>                create: 201, Location <base>/<Type>/<id>/_history/1, ETag W/"1"
      If-None-Exist: identifier=system|value (or identifier=value, _id=…, other=value):
      one match → 200 with that resource, nothing created; several → 412
  PUT /<Type>/<id>            update (200, new version) or create with that id (201)
  GET /<Type>/<id>[/_history/<v>], GET /<Type>?identifier=…&_id=…  (searchset Bundle)
  DELETE /<Type>/<id>         204
  POST /                      a Bundle of type transaction (all or nothing; urn:uuid
                              references resolved) or batch → transaction-response /
                              batch-response
  GET /metadata               a CapabilityStatement
Rejections are OperationOutcome resources, as FHIR servers send them:
  {"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid",
   "diagnostics":"…"}]}
  400 invalid — the body is not JSON, has no resourceType, names another type than the URL,
  an id that is not a FHIR id, or (unless --lenient) an element its StructureDefinition does
  not have (code "structure"); 404 not-found / not-supported; 405; 412 duplicate; 415.

Control: POST /_control {"mode": …} (see standin_base.py); GET /_records/<Type> (current
resources); GET /_records/<Type>?history=1 (every version written); GET /_records (counts);
GET /_calls (interactions by kind: create, update, conditional-hit, transaction, read, …);
POST /_reset.
"""

import json
import re
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import standin_base as base  # noqa: E402

FHIR_JSON = "application/fhir+json; charset=utf-8"
ID_RE = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
TYPE_RE = re.compile(r"^[A-Z][A-Za-z]+$")


class FhirError(Exception):
    def __init__(self, status, code, diagnostics):
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics


def outcome(code, diagnostics, severity="error"):
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}]}


def status_text(status):
    return {200: "200 OK", 201: "201 Created", 204: "204 No Content", 400: "400 Bad Request",
            404: "404 Not Found", 412: "412 Precondition Failed"}.get(status, str(status))


class Schemas:
    """Top-level element names of each resource type, from the R4 StructureDefinitions."""

    def __init__(self, data_dir):
        self.folder = Path(data_dir) / "fhir-r4" / "definitions"
        self.lock = threading.Lock()
        self.cache = {}
        self.types = set()
        for path in self.folder.glob("StructureDefinition-*.json"):
            name = path.name[len("StructureDefinition-"):-len(".json")]
            if TYPE_RE.match(name):
                self.types.add(name)
        self.resources = None

    def elements(self, rtype):
        with self.lock:
            if rtype in self.cache:
                return self.cache[rtype]
            path = self.folder / ("StructureDefinition-%s.json" % rtype)
            names = None
            if path.exists():
                sd = json.loads(path.read_text())
                if sd.get("kind") == "resource" and not sd.get("abstract"):
                    names = {"resourceType"}
                    for element in sd.get("snapshot", {}).get("element", []):
                        p = element.get("path", "")
                        if p.count(".") != 1:
                            continue
                        leaf = p.split(".", 1)[1]
                        if leaf.endswith("[x]"):
                            stem = leaf[:-3]
                            for t in element.get("type", []):
                                code = t.get("code", "")
                                names.add(stem + code[:1].upper() + code[1:])
                        else:
                            names.add(leaf)
            self.cache[rtype] = names
            return names

    def is_resource(self, rtype):
        return self.elements(rtype) is not None


class App:
    def __init__(self, args):
        self.schemas = Schemas(args.data)
        self.strict = not args.lenient
        self.lock = threading.RLock()
        self.calls = Counter()
        self.reset()

    def reset(self):
        with self.lock:
            self.store = {}  # type → id → [versions]
            self.deleted = set()
            self.next_id = 1
            self.calls = Counter()

    def count(self, kind):
        with self.lock:
            self.calls[kind] += 1

    # ---- checks ----

    def check_type(self, rtype):
        if not TYPE_RE.match(rtype or "") or not self.schemas.is_resource(rtype):
            raise FhirError(404, "not-supported", "Unknown resource type '%s'" % rtype)

    def parse(self, raw):
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as error:
            raise FhirError(400, "invalid", "The body is not valid JSON: %s" % error)
        if not isinstance(value, dict):
            raise FhirError(400, "invalid", "The body must be a JSON object holding a FHIR resource")
        return value

    def check_resource(self, resource, rtype, where=""):
        if not isinstance(resource, dict):
            raise FhirError(400, "invalid", "%sa resource must be a JSON object" % where)
        found = resource.get("resourceType")
        if not found:
            raise FhirError(400, "invalid", "%sthe resource has no resourceType" % where)
        if not isinstance(found, str) or not TYPE_RE.match(found) or not self.schemas.is_resource(found):
            raise FhirError(400, "invalid", "%sunknown resourceType '%s'" % (where, found))
        if rtype is not None and found != rtype:
            raise FhirError(400, "invalid", "%sthe resource is a %s but the request is for %s" % (where, found, rtype))
        rid = resource.get("id")
        if rid is not None and (not isinstance(rid, str) or not ID_RE.match(rid)):
            raise FhirError(400, "invalid", "%s'%s' is not a valid FHIR id" % (where, rid))
        if self.strict:
            allowed = self.schemas.elements(found)
            for key in resource:
                bare = key[1:] if key.startswith("_") else key
                if bare not in allowed:
                    raise FhirError(400, "structure", "%sunknown element '%s' in %s" % (where, key, found))

    # ---- store ----

    def current(self, rtype, rid):
        versions = self.store.get(rtype, {}).get(rid)
        if not versions or (rtype, rid) in self.deleted:
            return None
        return versions[-1]

    def new_id(self):
        rid = str(self.next_id)
        self.next_id += 1
        return rid

    def put_version(self, rtype, rid, resource):
        versions = self.store.setdefault(rtype, {}).setdefault(rid, [])
        self.deleted.discard((rtype, rid))
        stored = dict(resource)
        stored["id"] = rid
        meta = dict(stored.get("meta") or {})
        meta["versionId"] = str(len(versions) + 1)
        meta["lastUpdated"] = base.now_iso()
        stored["meta"] = meta
        versions.append(stored)
        return stored

    def search(self, rtype, params):
        """params: [(name, value)] AND-ed; token search on identifier, exact on others."""
        out = []
        for rid, versions in sorted(self.store.get(rtype, {}).items()):
            res = self.current(rtype, rid)
            if res is None:
                continue
            if all(self.matches(res, name, value) for name, value in params):
                out.append(res)
        return out

    @staticmethod
    def split_token(value):
        """system|value with FHIR's escapes (\\| \\, \\$ \\\\)."""
        parts, cur, i = [], "", 0
        while i < len(value):
            c = value[i]
            if c == "\\" and i + 1 < len(value):
                cur += value[i + 1]
                i += 2
                continue
            if c == "|" and not parts:
                parts.append(cur)
                cur = ""
            else:
                cur += c
            i += 1
        parts.append(cur)
        return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])

    def matches(self, res, name, value):
        name = name.split(":")[0]
        if name in ("_format", "_count", "_summary", "_elements"):
            return True
        if name == "_id":
            return res.get("id") in value.split(",")
        if name == "identifier":
            system, code = self.split_token(value)
            for ident in res.get("identifier") or []:
                if system is not None and (ident.get("system") or "") != system:
                    continue
                if code == "" or ident.get("value") == code:
                    return True
            return False
        have = res.get(name)
        if isinstance(have, (str, int, float, bool)):
            return str(have).lower() == value.lower() if isinstance(have, bool) else str(have) == value
        return False

    @staticmethod
    def query_pairs(query):
        pairs = []
        for part in query.split("&"):
            if not part:
                continue
            name, _, value = part.partition("=")
            pairs.append((unquote(name.replace("+", " ")), unquote(value.replace("+", " "))))
        return pairs

    # ---- interactions (all under the lock; they return (status, body, headers)) ----

    def location(self, res):
        return "%s/%s/%s/_history/%s" % (self.base_url, res["resourceType"], res["id"], res["meta"]["versionId"])

    def written(self, status, res):
        return status, res, {"Location": self.location(res), "ETag": 'W/"%s"' % res["meta"]["versionId"],
                             "Last-Modified": res["meta"]["lastUpdated"]}

    def create(self, rtype, resource, if_none_exist=None):
        self.check_type(rtype)
        self.check_resource(resource, rtype)
        with self.lock:
            if if_none_exist:
                found = self.search(rtype, self.query_pairs(if_none_exist))
                if len(found) > 1:
                    raise FhirError(412, "duplicate", "If-None-Exist '%s' matches %d resources" % (if_none_exist, len(found)))
                if found:
                    self.calls["conditional-hit"] += 1
                    return self.written(200, found[0])
            self.calls["create"] += 1
            return self.written(201, self.put_version(rtype, self.new_id(), resource))

    def update(self, rtype, rid, resource):
        self.check_type(rtype)
        if not ID_RE.match(rid):
            raise FhirError(400, "invalid", "'%s' is not a valid FHIR id" % rid)
        self.check_resource(resource, rtype)
        if resource.get("id") is None:
            raise FhirError(400, "invalid", "an update needs the resource's id in the body")
        if resource.get("id") != rid:
            raise FhirError(400, "invalid", "the resource id '%s' does not match the URL id '%s'" % (resource.get("id"), rid))
        with self.lock:
            existed = self.current(rtype, rid) is not None
            self.calls["update"] += 1
            return self.written(200 if existed else 201, self.put_version(rtype, rid, resource))

    def read(self, rtype, rid, version=None):
        self.check_type(rtype)
        with self.lock:
            self.calls["read"] += 1
            versions = self.store.get(rtype, {}).get(rid)
            if not versions:
                raise FhirError(404, "not-found", "Resource %s/%s is not known" % (rtype, rid))
            if version is not None:
                for v in versions:
                    if v["meta"]["versionId"] == version:
                        return 200, v, {"ETag": 'W/"%s"' % version}
                raise FhirError(404, "not-found", "Version %s of %s/%s is not known" % (version, rtype, rid))
            if (rtype, rid) in self.deleted:
                raise FhirError(410, "deleted", "Resource %s/%s was deleted" % (rtype, rid))
            res = versions[-1]
            return 200, res, {"ETag": 'W/"%s"' % res["meta"]["versionId"]}

    def delete(self, rtype, rid):
        self.check_type(rtype)
        with self.lock:
            self.calls["delete"] += 1
            if self.current(rtype, rid) is not None:
                self.deleted.add((rtype, rid))
            return 204, None, {}

    def search_bundle(self, rtype, query):
        self.check_type(rtype)
        with self.lock:
            self.calls["search"] += 1
            found = self.search(rtype, self.query_pairs(query))
        return 200, {"resourceType": "Bundle", "type": "searchset", "total": len(found),
                     "entry": [{"fullUrl": "%s/%s/%s" % (self.base_url, rtype, r["id"]), "resource": r,
                                "search": {"mode": "match"}} for r in found]}, {}

    def bundle(self, bundle):
        self.check_resource(bundle, "Bundle")
        kind = bundle.get("type")
        if kind not in ("transaction", "batch"):
            raise FhirError(400, "invalid", "POST to the base takes a Bundle of type transaction or batch, not '%s'" % kind)
        entries = bundle.get("entry") or []
        if not isinstance(entries, list):
            raise FhirError(400, "invalid", "Bundle.entry must be a list")
        with self.lock:
            self.calls[kind] += 1
            if kind == "transaction":
                return self.transaction(entries)
            return self.batch(entries)

    def plan(self, entry, index):
        """Check one entry: → (method, type, id, resource, ifNoneExist)."""
        where = "Bundle.entry[%d]: " % index
        if not isinstance(entry, dict):
            raise FhirError(400, "invalid", where + "an entry must be an object")
        request = entry.get("request") or {}
        method = (request.get("method") or "").upper()
        url = (request.get("url") or "").split("?")[0].strip("/")
        if method not in ("POST", "PUT", "DELETE", "GET"):
            raise FhirError(400, "invalid", where + "request.method must be POST, PUT, DELETE or GET")
        parts = url.split("/")
        rtype = parts[0]
        if not TYPE_RE.match(rtype) or not self.schemas.is_resource(rtype):
            raise FhirError(400, "invalid", where + "request.url '%s' names no resource type" % url)
        rid = parts[1] if len(parts) > 1 else None
        resource = entry.get("resource")
        if method in ("POST", "PUT"):
            self.check_resource(resource, rtype, where)
            if method == "PUT":
                if rid is None or resource.get("id") != rid:
                    raise FhirError(400, "invalid", where + "a PUT needs Type/id in request.url matching the resource id")
        return method, rtype, rid, resource, request.get("ifNoneExist")

    def transaction(self, entries):
        plans = []
        for i, entry in enumerate(entries):
            plans.append((entry, self.plan(entry, i)))  # all checked before anything is written
        # Ids for created resources first, so urn:uuid references can be resolved.
        names = {}
        assigned = []
        for entry, (method, rtype, rid, resource, ine) in plans:
            new = None
            if method == "POST":
                hit = self.search(rtype, self.query_pairs(ine)) if ine else []
                if len(hit) > 1:
                    raise FhirError(412, "duplicate", "ifNoneExist '%s' matches %d resources" % (ine, len(hit)))
                new = ("hit", hit[0]) if hit else ("new", self.new_id())
                target = hit[0]["id"] if hit else new[1]
                if entry.get("fullUrl"):
                    names[entry["fullUrl"]] = "%s/%s" % (rtype, target)
            assigned.append(new)
        out = []
        for (entry, (method, rtype, rid, resource, ine)), new in zip(plans, assigned):
            if method in ("POST", "PUT"):
                resource = resolve_refs(resource, names)
            if method == "POST":
                if new[0] == "hit":
                    out.append({"response": {"status": "200 OK", "location": self.location(new[1]).split(self.base_url + "/", 1)[1]}})
                    continue
                res = self.put_version(rtype, new[1], resource)
                out.append({"response": {"status": "201 Created", "location": "%s/%s/_history/1" % (rtype, res["id"]),
                                         "etag": 'W/"1"', "lastModified": res["meta"]["lastUpdated"]}})
            elif method == "PUT":
                existed = self.current(rtype, rid) is not None
                res = self.put_version(rtype, rid, resource)
                v = res["meta"]["versionId"]
                out.append({"response": {"status": "200 OK" if existed else "201 Created",
                                         "location": "%s/%s/_history/%s" % (rtype, rid, v), "etag": 'W/"%s"' % v}})
            elif method == "DELETE":
                if self.current(rtype, rid) is not None:
                    self.deleted.add((rtype, rid))
                out.append({"response": {"status": "204 No Content"}})
            else:
                res = self.current(rtype, rid) if rid else None
                out.append({"resource": res, "response": {"status": "200 OK" if res else "404 Not Found"}})
        return 200, {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "transaction-response", "entry": out}, {}

    def batch(self, entries):
        out = []
        for i, entry in enumerate(entries):
            try:
                method, rtype, rid, resource, ine = self.plan(entry, i)
                if method == "POST":
                    status, res, headers = self.create(rtype, resource, ine)
                elif method == "PUT":
                    status, res, headers = self.update(rtype, rid, resource)
                elif method == "DELETE":
                    status, res, headers = self.delete(rtype, rid)
                else:
                    status, res, headers = self.read(rtype, rid)
                response = {"status": status_text(status)}
                if headers.get("Location"):
                    response["location"] = headers["Location"].split(self.base_url + "/", 1)[-1]
                out.append({"response": response})
            except FhirError as error:
                out.append({"response": {"status": status_text(error.status), "outcome": outcome(error.code, error.diagnostics)}})
        return 200, {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "batch-response", "entry": out}, {}

    def capability(self):
        return {"resourceType": "CapabilityStatement", "status": "active", "date": base.now_iso()[:10],
                "kind": "instance", "fhirVersion": "4.0.1", "format": ["application/fhir+json"],
                "rest": [{"mode": "server", "interaction": [{"code": "transaction"}, {"code": "batch"}],
                          "resource": [{"type": t, "interaction": [{"code": c} for c in ("create", "update", "read", "delete", "search-type")],
                                        "conditionalCreate": True} for t in sorted(self.schemas.types) if self.schemas.is_resource(t)]}]}


def resolve_refs(value, names):
    if not names:
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "reference" and isinstance(v, str) and v in names:
                out[k] = names[v]
            else:
                out[k] = resolve_refs(v, names)
        return out
    if isinstance(value, list):
        return [resolve_refs(v, names) for v in value]
    return value


class FhirHandler(base.Handler):
    def reply(self, status, body, headers=None):
        if body is None:
            return self.send(status, b"", FHIR_JSON, headers)
        return self.send_json(status, body, headers, FHIR_JSON)

    def fault_reply(self, status):
        self.reply(status, outcome("transient", "the server is unavailable (fault injection)"))

    def route(self, method, path, query, body):
        app = self.server.app
        try:
            parts = [p for p in path.split("/") if p]
            if method in ("POST", "PUT"):
                ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                if ctype and ctype not in ("application/fhir+json", "application/json", "application/json+fhir"):
                    raise FhirError(415, "not-supported", "Content-Type '%s' is not a FHIR JSON type" % ctype)
            if not parts:
                if method != "POST":
                    raise FhirError(405, "not-supported", "%s on the base is not supported" % method)
                return self.reply(*app.bundle(app.parse(body)))
            if parts == ["metadata"] and method == "GET":
                return self.reply(200, app.capability())
            rtype = parts[0]
            if method == "POST" and len(parts) == 1:
                return self.reply(*app.create(rtype, app.parse(body), self.headers.get("If-None-Exist")))
            if method == "PUT" and len(parts) == 2:
                return self.reply(*app.update(rtype, parts[1], app.parse(body)))
            if method == "GET" and len(parts) == 1:
                return self.reply(*app.search_bundle(rtype, query))
            if method == "GET" and len(parts) == 2:
                return self.reply(*app.read(rtype, parts[1]))
            if method == "GET" and len(parts) == 4 and parts[2] == "_history":
                return self.reply(*app.read(rtype, parts[1], parts[3]))
            if method == "DELETE" and len(parts) == 2:
                return self.reply(*app.delete(rtype, parts[1]))
            raise FhirError(405 if len(parts) <= 2 else 404, "not-supported", "%s %s is not supported" % (method, path))
        except FhirError as error:
            app.count("rejected")
            self.reply(error.status, outcome(error.code, error.diagnostics))

    def inspect(self, path, query):
        app = self.server.app
        if path == "/_calls":
            with app.lock:
                return dict(app.calls)
        if path == "/_records":
            with app.lock:
                return {t: sum(1 for rid in ids if app.current(t, rid) is not None) for t, ids in app.store.items()}
        if path.startswith("/_records/"):
            rtype = path[len("/_records/"):]
            history = "history=1" in query or "history=true" in query
            with app.lock:
                ids = app.store.get(rtype, {})
                if history:
                    return [v for rid in sorted(ids) for v in ids[rid]]
                return [r for r in (app.current(rtype, rid) for rid in sorted(ids)) if r is not None]
        return None


def main(argv=None):
    def extra(parser):
        parser.add_argument("--lenient", action="store_true",
                            help="take elements the StructureDefinition does not have (default: 400 structure)")

    args = base.parse_args("A stand-in FHIR R4 server.", extra, argv)
    return base.serve(FhirHandler, App(args), args)


if __name__ == "__main__":
    sys.exit(main())
