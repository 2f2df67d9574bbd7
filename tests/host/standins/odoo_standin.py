#!/usr/bin/env python3
"""A stand-in Odoo answering its external API as the captured Odoo 17 server did
(../shared/data/odoo17: jsonrpc_transcript.jsonl, jsonrpc_errors.json, fields_get.json,
records.json), plus Odoo 19's JSON-2 API, over an in-memory store per model.

  python3 odoo_standin.py --port N [--data DIR] [--db suture_probe] [--login admin]
                          [--password admin] [--api-key KEY] [--seed]

JSON-RPC (POST /jsonrpc): common.login / common.authenticate (→ uid, or `false` for a wrong
login or password), common.version, object.execute_kw with search, search_count,
search_read, read, create (vals or a list of vals), write, unlink, fields_get, and the
business methods of the transcript (button_confirm, button_validate: → true). Errors are
HTTP 200 with an `error` member shaped as the captured envelopes: unknown model (UserError),
unknown method (AttributeError), missing record (MissingError), res.partner without a name
(ValidationError), a selection value fields_get does not list, or a field the model does not
have (ValueError), wrong credentials (AccessDenied).

JSON-2 (POST /json/2/<model>/<method>, `Authorization: bearer <key>`, named arguments):
create {"vals_list": [...]} → ids, write {"ids", "vals"} → true, unlink {"ids"}, read
{"ids", "fields"}, search {"domain", "offset", "limit", "order"}, search_read, search_count.
Errors: HTTP 4xx/5xx with {"name", "message", "arguments", "context", "debug"} as Odoo's
serialize_exception writes them (401 bad key, 404 unknown model or method or missing record,
422 validation or bad arguments, 403 access, 500 ValueError).

Control: POST /_control {"mode": …} (see standin_base.py) and
{"required": {"res.partner": ["email"]}} — fields a create or write must leave set (a
ValidationError otherwise; {} lifts them); GET /_records/<model>[?fields=a,b] (the stored
records as `read` gives them, many2one as [id, name]); GET /_calls (calls by method, JSON-RPC execute_kw
and JSON-2 together); GET /_stats (logins, calls by API, faults); POST /_reset.
"""

import copy
import json
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import standin_base as base  # noqa: E402

BUSINESS_METHODS = {"button_confirm", "button_validate", "action_confirm", "action_done", "action_cancel"}
CRUD = {"search", "search_count", "search_read", "read", "create", "write", "unlink", "fields_get", "name_search"}

# Model descriptions (as Odoo names them in constraint messages).
DESCRIPTIONS = {
    "res.partner": "Contact",
    "product.product": "Product Variant",
    "product.template": "Product",
    "stock.picking": "Transfer",
    "stock.move": "Stock Move",
    "purchase.order": "Purchase Order",
    "purchase.order.line": "Purchase Order Line",
    "account.move": "Journal Entry",
    "account.move.line": "Journal Item",
    "calendar.event": "Calendar Event",
    "maintenance.request": "Maintenance Request",
    "maintenance.equipment": "Maintenance Equipment",
    "project.task": "Task",
    "project.project": "Project",
}


class OdooError(Exception):
    """An exception as Odoo reports it: its qualified class name and message."""

    # exception class → JSON-2 HTTP status (Odoo's http_status of the exception class)
    STATUS = {
        "odoo.exceptions.UserError": 422,
        "odoo.exceptions.ValidationError": 422,
        "odoo.exceptions.MissingError": 404,
        "odoo.exceptions.AccessError": 403,
        "odoo.exceptions.AccessDenied": 403,
        "werkzeug.exceptions.NotFound": 404,
        "werkzeug.exceptions.BadRequest": 400,
        "werkzeug.exceptions.UnprocessableEntity": 422,
        "werkzeug.exceptions.Unauthorized": 401,
    }

    def __init__(self, name, message, template=None, debug=None):
        super().__init__(message)
        self.name = name
        self.message = message
        self.template = template
        self.debug = debug

    def data(self):
        short = self.name[len("builtins."):] if self.name.startswith("builtins.") else self.name
        return {
            "name": self.name,
            "debug": self.debug if self.debug is not None else "%s: %s" % (short, self.message),
            "message": self.message,
            "arguments": [self.message],
            "context": {},
        }

    def http_status(self):
        return self.STATUS.get(self.name, 500)


def py_repr(value):
    """Python's repr of a JSON value, as Odoo's messages show values."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return "None"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list):
        return "[" + ", ".join(py_repr(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join("%s: %s" % (py_repr(k), py_repr(v)) for k, v in value.items()) + "}"
    return str(value)


def ids_repr(ids):
    return "(%s,)" % ids[0] if len(ids) == 1 else "(%s)" % ", ".join(str(i) for i in ids)


def display_name(model, stored):
    """What Odoo shows for a record in a many2one (its display_name)."""
    name = stored.get("display_name") or stored.get("name") or ""
    if model == "maintenance.equipment" and stored.get("serial_no"):
        return "%s/%s" % (name, stored["serial_no"])
    if model == "product.product" and stored.get("default_code"):
        return "[%s] %s" % (stored["default_code"], name)
    return name


def odoo_now():
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())


# ---------------------------------------------------------------------------- domains


def normalize_domain(domain):
    """Odoo's normalize_domain: make the implicit '&' between leaves explicit."""
    if not domain:
        return []
    result = []
    expected = 1
    for token in domain:
        if expected == 0:
            result[0:0] = ["&"]
            expected = 1
        if isinstance(token, (list, tuple)):
            expected -= 1
        elif token in ("&", "|"):
            expected += 1
        elif token == "!":
            pass
        else:
            raise OdooError("builtins.ValueError", "Invalid domain term %s" % py_repr(token))
        result.append(token)
    return result


def like_to_regex(pattern):
    out = ""
    for ch in pattern:
        out += ".*" if ch == "%" else "." if ch == "_" else re.escape(ch)
    return out


def leaf_matches(record, rid, leaf, model):
    if len(leaf) != 3:
        raise OdooError("builtins.ValueError", "Invalid leaf %s" % py_repr(list(leaf)))
    field, op, value = leaf
    op = op.lower() if isinstance(op, str) else op
    if isinstance(field, int) and not isinstance(field, bool):  # TRUE_LEAF (1, '=', 1), FALSE_LEAF (0, '=', 1)
        return field == value
    if not isinstance(field, str):
        raise OdooError("builtins.ValueError", "Invalid leaf %s" % py_repr(list(leaf)))
    name = field.split(".")[0]
    if model.fields is not None and name not in model.fields and name != "id":
        raise OdooError("builtins.ValueError", "Invalid field %s.%s in leaf %s" % (model.name, name, py_repr(list(leaf))))
    have = rid if name == "id" else record.get(name, False)
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str) and op in ("=", "!="):
        value = value[0]  # a many2one as read() gives it
    if isinstance(have, list):  # x2many: compare against its ids
        items = have
        if op in ("=", "in", "child_of", "parent_of"):
            wanted = value if isinstance(value, list) else [value]
            if value is False or value == []:
                return not items
            return any(i in items for i in wanted)
        if op in ("!=", "<>", "not in"):
            wanted = value if isinstance(value, list) else [value]
            if value is False:
                return bool(items)
            return not any(i in items for i in wanted)
        return False
    if op in ("=", "=="):
        return have == value or (value is False and have in (None, False, ""))
    if op in ("!=", "<>"):
        return not (have == value or (value is False and have in (None, False, "")))
    if op in ("in", "child_of", "parent_of"):
        wanted = value if isinstance(value, list) else [value]
        return have in wanted or (False in wanted and have in (None, False))
    if op == "not in":
        wanted = value if isinstance(value, list) else [value]
        return not (have in wanted or (False in wanted and have in (None, False)))
    if op in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
        if have in (None, False):
            return op.startswith("not")
        text = str(have)
        pattern = str(value)
        flags = re.IGNORECASE if "ilike" in op else 0
        if op.startswith("="):
            hit = re.fullmatch(like_to_regex(pattern), text, flags | re.DOTALL) is not None
        else:
            hit = re.search(re.escape(pattern), text, flags) is not None
        return not hit if op.startswith("not") else hit
    if op in ("<", ">", "<=", ">="):
        if have in (None, False) or value in (None, False):
            return False
        try:
            if op == "<":
                return have < value
            if op == ">":
                return have > value
            if op == "<=":
                return have <= value
            return have >= value
        except TypeError:
            return False
    raise OdooError("builtins.ValueError", "Invalid operator %s in domain term %s" % (py_repr(op), py_repr(list(leaf))))


def domain_matches(tokens, record, rid, model):
    if not tokens:
        return True
    stack = []
    for token in reversed(tokens):
        if token == "&":
            a, b = stack.pop(), stack.pop()
            stack.append(a and b)
        elif token == "|":
            a, b = stack.pop(), stack.pop()
            stack.append(a or b)
        elif token == "!":
            stack.append(not stack.pop())
        else:
            stack.append(leaf_matches(record, rid, token, model))
    return all(stack)


def domain_mentions(domain, name):
    return any(isinstance(t, (list, tuple)) and len(t) == 3 and t[0] == name for t in domain or [])


# ---------------------------------------------------------------------------- the store


class Model:
    def __init__(self, name, fields):
        self.name = name
        self.fields = fields  # fields_get of the model, or None: any field accepted
        self.records = {}  # id → stored values
        self.next_id = 1
        self.indexes = {}  # field → {value: set(ids)}, built on the first search by equality

    def default_of(self, field):
        if field == "active":
            return True
        spec = (self.fields or {}).get(field, {})
        kind = spec.get("type")
        if kind in ("one2many", "many2many"):
            return []
        if kind == "integer":
            return 0
        if kind in ("float", "monetary"):
            return 0.0
        if field == "type" and self.name == "res.partner":
            return "contact"
        return False

    def index(self, field):
        found = self.indexes.get(field)
        if found is None:
            found = self.indexes[field] = {}
            for rid, stored in self.records.items():
                key = index_key(stored.get(field, False))
                if key is not None:
                    found.setdefault(key, set()).add(rid)
        return found

    def put(self, rid, stored):
        """Store (or replace) a record, keeping the indexes right."""
        self.drop(rid)
        self.records[rid] = stored
        for field, found in self.indexes.items():
            key = index_key(stored.get(field, False))
            if key is not None:
                found.setdefault(key, set()).add(rid)

    def drop(self, rid):
        stored = self.records.pop(rid, None)
        if stored is None:
            return None
        for field, found in self.indexes.items():
            key = index_key(stored.get(field, False))
            if key is not None and key in found:
                found[key].discard(rid)
        return stored


def index_key(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return (type(value).__name__ if isinstance(value, bool) else "v", value)
    return None


class Store:
    def __init__(self, data_dir, seed):
        data = Path(data_dir) / "odoo17"
        self.fields_get = json.loads((data / "fields_get.json").read_text())
        self.errors = json.loads((data / "jsonrpc_errors.json").read_text())
        self.seed_records = json.loads((data / "records.json").read_text()) if seed else {}
        records = json.loads((data / "records.json").read_text())
        self.known = set(self.fields_get)
        self.known.update(m for m in records if m in self.fields_get)
        for line in (data / "jsonrpc_transcript.jsonl").read_text().splitlines():
            if not line.strip():
                continue
            params = json.loads(line)["request"]["params"]
            if params.get("method") == "execute_kw":
                self.known.add(params["args"][3])
        # Display names seen in records.json, for many2one values read() shows as [id, name].
        self.display = {}
        for model, rows in records.items():
            for row in rows:
                for field, value in row.items():
                    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str):
                        relation = self.fields_get.get(model, {}).get(field, {}).get("relation")
                        if relation:
                            self.display[(relation, value[0])] = value[1]
        self.lock = threading.RLock()
        self.required = {}
        self.reset()

    def reset(self):
        with self.lock:
            self.models = {}
            self.required = {}
            for model, rows in self.seed_records.items():
                if model not in self.known:
                    continue
                m = self.model(model)
                for row in rows:
                    stored = {}
                    for field, value in row.items():
                        if isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], str):
                            value = value[0]
                        stored[field] = value
                    m.put(row["id"], stored)
                    m.next_id = max(m.next_id, row["id"] + 1)

    def model(self, name):
        if name not in self.known:
            raise OdooError("odoo.exceptions.UserError", "Object %s doesn't exist" % name, template="unknown_model")
        m = self.models.get(name)
        if m is None:
            m = self.models[name] = Model(name, self.fields_get.get(name))
        return m

    # ---- reading ----

    def search_ids(self, model, domain, offset=0, limit=None, order=None, context=None):
        with self.lock:
            m = self.model(model)
            domain = domain or []
            if not isinstance(domain, list):
                raise OdooError("builtins.ValueError", "Invalid domain %s" % py_repr(domain))
            tokens = normalize_domain(domain)
            active_test = (context or {}).get("active_test", True)
            has_active = m.fields is None or "active" in m.fields
            skip_inactive = active_test and has_active and not domain_mentions(domain, "active")
            candidates = None
            if len(tokens) == 1 and isinstance(tokens[0], (list, tuple)) and len(tokens[0]) == 3:
                field, op, value = tokens[0]
                kind = ((m.fields or {}).get(field) or {}).get("type")
                if op == "=" and isinstance(field, str) and field != "id" and value is not False \
                        and kind not in ("one2many", "many2many") and index_key(value) is not None \
                        and (m.fields is None or field in m.fields):
                    candidates = sorted(m.index(field).get(index_key(value), ()))
            out = []
            for rid in (candidates if candidates is not None else sorted(m.records)):
                stored = m.records[rid]
                if skip_inactive and stored.get("active", True) is False:
                    continue
                if candidates is not None or domain_matches(tokens, stored, rid, m):
                    out.append(rid)
            if order:
                for part in reversed([p.strip() for p in str(order).split(",") if p.strip()]):
                    words = part.split()
                    field, desc = words[0], len(words) > 1 and words[1].lower() == "desc"
                    out.sort(key=lambda i: (i,) if field == "id" else
                             (m.records[i].get(field) in (None, False), str(m.records[i].get(field, ""))), reverse=desc)
            offset = int(offset or 0)
            out = out[offset:]
            if limit not in (None, False, 0):
                out = out[: int(limit)]
            return out

    def read(self, model, ids, fields=None):
        with self.lock:
            return self.read_locked(model, ids, fields)

    def read_locked(self, model, ids, fields):
        m = self.model(model)
        ids = [ids] if isinstance(ids, int) else list(ids or [])
        missing = [i for i in ids if i not in m.records]
        if missing:
            raise self.missing(model, missing)
        if fields:
            for f in fields:
                if m.fields is not None and f not in m.fields and f != "id":
                    raise OdooError("builtins.ValueError", "Invalid field %s on model %s" % (py_repr(f), py_repr(model)))
        names = list(fields) if fields else (list(m.fields) if m.fields is not None else None)
        out = []
        for rid in ids:
            stored = m.records[rid]
            row = {"id": rid}
            for f in (names if names is not None else list(stored)):
                if f == "id":
                    continue
                row[f] = self.present(m, f, stored.get(f, m.default_of(f)))
            out.append(row)
        return out

    def present(self, m, field, value):
        spec = (m.fields or {}).get(field, {})
        if spec.get("type") == "many2one" and isinstance(value, int) and not isinstance(value, bool):
            relation = spec.get("relation")
            target = self.models.get(relation)
            name = None
            if target and value in target.records:
                name = display_name(relation, target.records[value])
            if name is None:
                name = self.display.get((relation, value))
            if name is None:
                name = "Administrator" if (relation, value) == ("res.users", 2) else "%s,%d" % (relation, value)
            return [value, name]
        return value

    def missing(self, model, ids):
        text = "Record does not exist or has been deleted.\n(Record: %s%s, User: 2)" % (model, ids_repr(ids))
        return OdooError("odoo.exceptions.MissingError", text, template="missing_record_write",
                         debug="(Record: %s%s, User: 2)" % (model, ids_repr(ids)))

    # ---- writing ----

    def check_vals(self, m, vals):
        if not isinstance(vals, dict):
            raise OdooError("builtins.TypeError", "values of a create or write must be a dict, got %s" % py_repr(vals))
        for field, value in vals.items():
            if m.fields is None:
                continue
            spec = m.fields.get(field)
            if spec is None:
                raise OdooError("builtins.ValueError", "Invalid field %s on model %s" % (py_repr(field), py_repr(m.name)))
            if spec.get("type") == "selection" and value not in (False, None):
                allowed = [s[0] for s in spec.get("selection") or []]
                if allowed and value not in allowed:
                    raise OdooError("builtins.ValueError", "Wrong value for %s.%s: %s" % (m.name, field, py_repr(value)),
                                    template="bad_selection")

    def apply(self, m, stored, vals):
        for field, value in vals.items():
            spec = (m.fields or {}).get(field, {})
            kind = spec.get("type")
            if kind in ("one2many", "many2many") and isinstance(value, list):
                stored[field] = self.x2many(spec.get("relation"), list(stored.get(field) or []), value)
            elif kind == "many2one" and isinstance(value, list) and value and isinstance(value[0], int):
                stored[field] = value[0]
            else:
                stored[field] = value

    def x2many(self, relation, current, commands):
        if all(isinstance(c, int) for c in commands):
            return list(commands)
        for command in commands:
            if not isinstance(command, list) or not command:
                continue
            code = command[0]
            if code == 0 and relation in self.known:
                current.append(self.create_one(relation, command[2] if len(command) > 2 else {}))
            elif code == 1 and relation in self.known:
                self.write(relation, [command[1]], command[2])
            elif code in (2, 3):
                current = [i for i in current if i != command[1]]
                if code == 2 and relation in self.known:
                    self.unlink(relation, [command[1]])
            elif code == 4 and command[1] not in current:
                current.append(command[1])
            elif code == 5:
                current = []
            elif code == 6:
                current = list(command[2] if len(command) > 2 else [])
        return current

    def check_constraints(self, m, stored):
        if m.name == "res.partner" and stored.get("type", "contact") == "contact" and stored.get("name") in (None, False):
            raise OdooError("odoo.exceptions.ValidationError",
                            "The operation cannot be completed: Contacts require a name",
                            template="validation_required_field")
        for field in self.required.get(m.name, []):
            if stored.get(field) in (None, False, ""):
                spec = (m.fields or {}).get(field, {})
                raise OdooError(
                    "odoo.exceptions.ValidationError",
                    "The operation cannot be completed: a mandatory field is not set.\n\nModel: %s (%s)\nField: %s (%s)\n"
                    % (DESCRIPTIONS.get(m.name, m.name), m.name, spec.get("string", field), field),
                    template="validation_required_field")

    # Every change goes through a transaction: on an error, the journal undoes it all.
    def begin(self):
        self.depth = getattr(self, "depth", 0) + 1
        if self.depth == 1:
            self.journal = []

    def end(self, failed):
        self.depth -= 1
        if self.depth == 0:
            if failed:
                for undo in reversed(self.journal):
                    undo()
            self.journal = []

    def transaction(self, body):
        with self.lock:
            self.begin()
            failed = True
            try:
                result = body()
                failed = False
                return result
            finally:
                self.end(failed)

    def create_one(self, model, vals):
        def body():
            m = self.model(model)
            self.check_vals(m, vals)
            stored = {}
            self.apply(m, stored, vals)
            self.check_constraints(m, stored)
            rid = m.next_id
            m.next_id += 1
            now = odoo_now()
            stored.setdefault("create_date", now)
            stored["write_date"] = now
            stored.setdefault("create_uid", 2)
            stored["write_uid"] = 2
            if m.fields is None or "active" in m.fields:
                stored.setdefault("active", True)
            m.put(rid, stored)
            self.journal.append(lambda: m.drop(rid))
            return rid

        return self.transaction(body)

    def create(self, model, vals):
        if isinstance(vals, list):
            return self.transaction(lambda: [self.create_one(model, v) for v in vals])
        return self.create_one(model, vals)

    def write(self, model, ids, vals):
        def body():
            m = self.model(model)
            rids = [ids] if isinstance(ids, int) else list(ids or [])
            missing = [i for i in rids if i not in m.records]
            if missing:
                raise self.missing(model, missing)
            self.check_vals(m, vals)
            for rid in rids:
                before = m.records[rid]
                stored = copy.deepcopy(before)
                self.apply(m, stored, vals)
                self.check_constraints(m, stored)
                stored["write_date"] = odoo_now()
                stored["write_uid"] = 2
                m.put(rid, stored)
                self.journal.append(lambda rid=rid, before=before: m.put(rid, before))
            return True

        return self.transaction(body)

    def unlink(self, model, ids):
        def body():
            m = self.model(model)
            rids = [ids] if isinstance(ids, int) else list(ids or [])
            missing = [i for i in rids if i not in m.records]
            if missing:
                raise self.missing(model, missing)
            for rid in rids:
                before = m.drop(rid)
                self.journal.append(lambda rid=rid, before=before: m.put(rid, before))
            return True

        return self.transaction(body)

    # What the transcript's business methods change (the rest of their effects, such as the
    # picking a confirmed purchase order creates, are not modelled).
    EFFECTS = {
        ("purchase.order", "button_confirm"): lambda: {"state": "purchase"},
        ("stock.picking", "button_validate"): lambda: {"state": "done", "date_done": odoo_now()},
    }

    def business(self, model, method, ids):
        def body():
            m = self.model(model)
            rids = [ids] if isinstance(ids, int) else list(ids or [])
            missing = [i for i in rids if i not in m.records]
            if missing:
                raise self.missing(model, missing)
            effect = self.EFFECTS.get((model, method))
            if effect:
                for rid in rids:
                    before = m.records[rid]
                    m.put(rid, dict(before, write_date=odoo_now(), **effect()))
                    self.journal.append(lambda rid=rid, before=before: m.put(rid, before))
            return True

        return self.transaction(body)

    def rows(self, model, fields=None):
        """The stored records as read() shows them (only `fields` when given)."""
        with self.lock:
            m = self.models.get(model)
            if m is None:
                if model not in self.known:
                    return None
                return []
            out = []
            for rid in sorted(m.records):
                stored = m.records[rid]
                names = fields if fields is not None else list(stored)
                out.append(dict({"id": rid}, **{f: self.present(m, f, stored.get(f, m.default_of(f))) for f in names if f != "id"}))
            return out

    def fields_of(self, model, allfields=None, attributes=None):
        m = self.model(model)
        fields = m.fields or {}
        names = allfields or list(fields)
        out = {}
        for name in names:
            if name in fields:
                spec = fields[name]
                out[name] = {k: v for k, v in spec.items() if not attributes or k in attributes}
        return out


# ---------------------------------------------------------------------------- the API


def positional(args, kwargs, names, required=1, method=""):
    """Bind Odoo method arguments given positionally and/or by name."""
    bound = {}
    for i, value in enumerate(args):
        if i >= len(names):
            raise OdooError("builtins.TypeError", "%s() takes %d positional arguments but %d were given" % (method, len(names) + 1, len(args) + 1))
        bound[names[i]] = value
    for key, value in (kwargs or {}).items():
        if key == "context":
            continue
        if key not in names:
            raise OdooError("builtins.TypeError", "%s() got an unexpected keyword argument %s" % (method, py_repr(key)))
        if key in bound:
            raise OdooError("builtins.TypeError", "%s() got multiple values for argument %s" % (method, py_repr(key)))
        bound[key] = value
    for name in names[:required]:
        if name not in bound:
            raise OdooError("builtins.TypeError", "%s() missing 1 required positional argument: %s" % (method, py_repr(name)))
    return bound


class App:
    def __init__(self, args):
        self.store = Store(args.data, args.seed)
        self.db = args.db
        self.login = args.login
        self.password = args.password
        self.api_key = args.api_key
        self.uid = args.uid
        self.lock = threading.Lock()
        self.calls = Counter()
        self.stats = Counter()

    def reset(self):
        self.store.reset()
        with self.lock:
            self.calls.clear()
            self.stats.clear()

    def count(self, method, api):
        with self.lock:
            self.calls[method] += 1
            self.stats[api] += 1

    def envelope_error(self, request_id, error):
        template = self.store.errors.get(error.template or "", None)
        if template and "error" in template:
            env = copy.deepcopy(template)
            env["id"] = request_id
            env["error"]["data"] = error.data()
        else:
            env = {"jsonrpc": "2.0", "id": request_id,
                   "error": {"code": 200, "message": "Odoo Server Error", "data": error.data()}}
        return env

    def access_denied(self):
        template = self.store.errors["access_denied_execute"]["error"]["data"]
        return OdooError(template["name"], template["message"], debug=template["debug"])

    def call(self, model, method, args, kwargs):
        """One ORM call, positional args + kwargs as execute_kw passes them."""
        store = self.store
        store.model(model)  # unknown model first, as Odoo does
        if method.startswith("_"):
            raise OdooError("builtins.AttributeError", "Private methods (such as %s) cannot be called remotely." % py_repr(method),
                            template="unknown_method")
        if method not in CRUD and method not in BUSINESS_METHODS:
            raise OdooError("builtins.AttributeError",
                            "The method %s does not exist on the model %s" % (py_repr(method), py_repr(model)),
                            template="unknown_method")
        context = (kwargs or {}).get("context") or {}
        if method == "search":
            b = positional(args, kwargs, ["domain", "offset", "limit", "order", "count"], 1, method)
            ids = store.search_ids(model, b["domain"], b.get("offset"), b.get("limit"), b.get("order"), context)
            return len(ids) if b.get("count") else ids
        if method == "search_count":
            b = positional(args, kwargs, ["domain", "limit"], 1, method)
            return len(store.search_ids(model, b["domain"], 0, b.get("limit"), None, context))
        if method == "search_read":
            b = positional(args, kwargs, ["domain", "fields", "offset", "limit", "order"], 0, method)
            ids = store.search_ids(model, b.get("domain") or [], b.get("offset"), b.get("limit"), b.get("order"), context)
            return store.read(model, ids, b.get("fields"))
        if method == "read":
            b = positional(args, kwargs, ["ids", "fields", "load"], 1, method)
            return store.read(model, b["ids"], b.get("fields"))
        if method == "create":
            b = positional(args, kwargs, ["vals_list"], 1, method)
            return store.create(model, b["vals_list"])
        if method == "write":
            b = positional(args, kwargs, ["ids", "vals"], 2, method)
            return store.write(model, b["ids"], b["vals"])
        if method == "unlink":
            b = positional(args, kwargs, ["ids"], 1, method)
            return store.unlink(model, b["ids"])
        if method == "fields_get":
            b = positional(args, kwargs, ["allfields", "attributes"], 0, method)
            return store.fields_of(model, b.get("allfields"), b.get("attributes"))
        if method == "name_search":
            b = positional(args, kwargs, ["name", "args", "operator", "limit"], 0, method)
            domain = list(b.get("args") or [])
            if b.get("name"):
                domain.append(["name", b.get("operator") or "ilike", b["name"]])
            ids = store.search_ids(model, domain, 0, b.get("limit") or 100)
            return [[i, store.model(model).records[i].get("name", "")] for i in ids]
        # business methods of the transcript: act on existing records
        ids = args[0] if args else (kwargs or {}).get("ids", [])
        return store.business(model, method, ids)

    # ---- JSON-RPC ----

    def jsonrpc(self, payload):
        request_id = payload.get("id") if isinstance(payload, dict) else None
        params = payload.get("params") if isinstance(payload, dict) else None
        if not isinstance(params, dict):
            return {"jsonrpc": "2.0", "id": request_id,
                    "error": {"code": 200, "message": "Odoo Server Error",
                              "data": OdooError("builtins.KeyError", "'service'").data()}}
        service, method, args = params.get("service"), params.get("method"), params.get("args") or []
        try:
            if service == "common":
                return {"jsonrpc": "2.0", "id": request_id, "result": self.common(method, args)}
            if service == "db" and method == "list":
                return {"jsonrpc": "2.0", "id": request_id, "result": [self.db]}
            if service == "object" and method in ("execute_kw", "execute"):
                if len(args) < 5:
                    raise OdooError("builtins.TypeError", "execute_kw() missing required positional arguments")
                db, uid, password, model, meth = args[:5]
                margs = args[5] if len(args) > 5 else []
                mkwargs = args[6] if len(args) > 6 else {}
                if method == "execute":
                    margs, mkwargs = args[5:], {}
                self.check_db(db)
                if uid != self.uid or password not in (self.password, self.api_key):
                    with self.lock:
                        self.stats["denied"] += 1
                    raise self.access_denied()
                self.count(meth, "jsonrpc")
                if not isinstance(margs, list) or not isinstance(mkwargs, dict):
                    raise OdooError("builtins.TypeError", "execute_kw() arguments must be a list and a dict")
                return {"jsonrpc": "2.0", "id": request_id, "result": self.call(model, meth, margs, mkwargs)}
            raise OdooError("builtins.Exception", "No such service or method: %s.%s" % (service, method))
        except OdooError as error:
            return self.envelope_error(request_id, error)

    def check_db(self, db):
        if db != self.db:
            raise OdooError("psycopg2.OperationalError",
                            'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
                            'FATAL:  database "%s" does not exist\n' % db)

    def common(self, method, args):
        if method == "version":
            return {"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""],
                    "server_serie": "17.0", "protocol_version": 1}
        if method in ("login", "authenticate"):
            if len(args) < 3:
                raise OdooError("builtins.TypeError", "%s() missing required positional arguments" % method)
            db, login, password = args[:3]
            self.check_db(db)
            with self.lock:
                self.stats["login"] += 1
            if login == self.login and password in (self.password, self.api_key):
                return self.uid
            return False  # as captured: access_denied_login
        raise OdooError("builtins.AttributeError", "No such common method: %s" % method)

    # ---- JSON-2 ----

    JSON2_ARGS = {
        "create": (["vals_list"], 1),
        "write": (["ids", "vals"], 2),
        "unlink": (["ids"], 1),
        "read": (["ids", "fields", "load"], 1),
        "search": (["domain", "offset", "limit", "order"], 1),
        "search_read": (["domain", "fields", "offset", "limit", "order"], 0),
        "search_count": (["domain", "limit"], 1),
        "fields_get": (["allfields", "attributes"], 0),
        "name_search": (["name", "args", "operator", "limit"], 0),
    }

    def json2(self, model, method, headers, raw):
        """→ (status, JSON value)"""
        auth = headers.get("Authorization") or ""
        scheme, _, key = auth.partition(" ")
        if scheme.lower() != "bearer" or key.strip() != self.api_key:
            with self.lock:
                self.stats["denied"] += 1
            e = OdooError("werkzeug.exceptions.Unauthorized", "Invalid apikey")
            return 401, e.data()
        database = headers.get("X-Odoo-Database")
        if database is not None and database != self.db:
            e = OdooError("werkzeug.exceptions.NotFound", "database %s not found" % py_repr(database))
            return 404, e.data()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError as error:
            return 400, OdooError("werkzeug.exceptions.BadRequest", "could not parse the body as json: %s" % error).data()
        if not isinstance(body, dict):
            return 400, OdooError("werkzeug.exceptions.BadRequest", "could not parse the body, expecting a json object").data()
        try:
            if model not in self.store.known:
                raise OdooError("werkzeug.exceptions.NotFound", "the model %s does not exist" % py_repr(model))
            if method.startswith("_") or (method not in CRUD and method not in BUSINESS_METHODS):
                raise OdooError("werkzeug.exceptions.NotFound",
                                "The method %s does not exist on the model %s" % (py_repr(method), py_repr(model)))
            kwargs = {k: v for k, v in body.items() if k != "context"}
            names, required = self.JSON2_ARGS.get(method, (["ids"], 1))
            for key in kwargs:
                if key not in names:
                    raise OdooError("werkzeug.exceptions.UnprocessableEntity",
                                    "got an unexpected keyword argument %s" % py_repr(key))
            for name in names[:required]:
                if name not in kwargs:
                    raise OdooError("werkzeug.exceptions.UnprocessableEntity", "missing a required argument: %s" % py_repr(name))
            self.count(method, "json2")
            if method == "create":
                vals = kwargs["vals_list"]
                result = self.store.create(model, vals if isinstance(vals, list) else [vals])
            else:
                result = self.call(model, method, [], dict(kwargs, context=body.get("context") or {}))
            return 200, result
        except OdooError as error:
            if error.name == "builtins.TypeError":
                error = OdooError("werkzeug.exceptions.UnprocessableEntity", error.message)
            return error.http_status(), error.data()


class OdooHandler(base.Handler):
    def route(self, method, path, query, body):
        app = self.server.app
        if path == "/jsonrpc" and method == "POST":
            try:
                payload = json.loads(body)
            except ValueError as error:
                e = OdooError("werkzeug.exceptions.BadRequest", "Invalid JSON data: %s" % error)
                return self.send_json(400, {"jsonrpc": "2.0", "id": None,
                                            "error": {"code": 400, "message": "Odoo Server Error", "data": e.data()}})
            return self.send_json(200, app.jsonrpc(payload))
        if path.startswith("/json/2/"):
            parts = path[len("/json/2/"):].split("/")
            if method != "POST" or len(parts) != 2 or not all(parts):
                e = OdooError("werkzeug.exceptions.NotFound", "Did you mean POST /json/2/<model>/<method>?")
                return self.send_json(404, e.data())
            status, value = app.json2(parts[0], parts[1], self.headers, body)
            return self.send_json(status, value)
        if path == "/web/webclient/version_info":
            return self.send_json(200, {"jsonrpc": "2.0", "id": None, "result": app.common("version", [])})
        self.send(404, "<!DOCTYPE html><title>404: Not Found</title>", "text/html; charset=utf-8")

    def control_extra(self, spec):
        store = self.server.app.store
        if "required" in spec:
            required = spec["required"]
            if not isinstance(required, dict) or not all(isinstance(v, list) for v in required.values()):
                raise ValueError('"required" takes {"model": ["field", …]}')
            with store.lock:
                store.required = {k: list(v) for k, v in required.items()}
            return {"required": store.required}
        return {}

    def control_state(self):
        return {"required": self.server.app.store.required}

    def inspect(self, path, query):
        app = self.server.app
        if path == "/_calls":
            with app.lock:
                return dict(app.calls)
        if path == "/_stats":
            with app.lock:
                return {"calls": dict(app.calls), "apis": dict(app.stats), "faults": self.server.faults.describe()}
        if path.startswith("/_records/"):
            fields = None
            for part in query.split("&"):
                if part.startswith("fields="):
                    fields = [f for f in part[len("fields="):].split(",") if f]
            rows = app.store.rows(path[len("/_records/"):], fields)
            return rows if rows is not None else None
        if path == "/_records":
            with app.store.lock:
                return {name: len(m.records) for name, m in app.store.models.items()}
        return None


def main(argv=None):
    def extra(parser):
        parser.add_argument("--db", default="suture_probe", help="the database name (as captured: suture_probe)")
        parser.add_argument("--login", default="admin")
        parser.add_argument("--password", default="admin")
        parser.add_argument("--api-key", default="odoo-json2-standin-key", help="JSON-2 bearer key (also accepted as a password)")
        parser.add_argument("--uid", type=int, default=2, help="the uid login answers (as captured: 2)")
        parser.add_argument("--seed", action="store_true", help="start with the records of records.json")

    args = base.parse_args("A stand-in Odoo 17 (JSON-RPC) / 19 (JSON-2).", extra, argv)
    return base.serve(OdooHandler, App(args), args)


if __name__ == "__main__":
    sys.exit(main())
