#!/usr/bin/env python3
"""gen_policies.py — one hospital access policy written twice, in Suture and in Cedar, with the
requests to decide in both forms: the input of the policy benchmark and agreement harness
(bench/policies/policy_bench.sh).

    gen_policies.py N_RULES SEED OUT_DIR [--requests N]

writes into OUT_DIR:

    policies.sut          module bench.policies; policy access(principal, action, res: Patient)
    policies.cedar        the same rules, each `@id("rN")`, over User / Action / Patient entities
    requests.ndjson       one Suture request a line: {"principal": …, "action": …, "res": …FHIR…}
    requests.cedar.json   a JSON array (one request a line) of the same requests as Cedar
                          {principal, action, resource, context, entities}

Rule rN is the same rule on both sides, so decisions compare label by label. The first rules
are a hospital's core (roles, scopes, confidentiality labels); the rest are
per-person grants keyed by principal id (some tied to one patient) and a few per-person
suspensions, so the rule count scales to 10,000 with as many distinct ids.

Equivalence is by construction, and where Cedar and Suture treat absence differently the Cedar
text carries the guard that makes them agree (see README.md, "Where the languages differ"):
every attribute a rule reads is always present on the principal entity; optional FHIR fields
(gender, active) are read behind `has`; the labels set is empty when the Patient has no
meta.security. With --reference, reference.ndjson holds the decisions computed here in Python
from each rule's meaning. Same SEED, same files, byte for byte.
"""
import argparse
import json
import os
import random

CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACTIONS = ["read", "search", "write", "delete", "sync"]
ROLES = ["clinician", "nurse", "midwife", "scheduler", "billing", "admin", "auditor",
         "privacy-officer", "researcher", "integration"]
SCOPES = ["patient/Patient.r", "patient/Patient.rs", "patient/Patient.w", "phi.restricted",
          "phi.hiv", "user/Patient.read"]
DEPARTMENTS = ["oncology", "cardiology", "maternity", "emergency", "radiology"]
GENDERS = ["female", "male", "other", "unknown"]


class Rule:
    """One rule in both languages: effect, Suture condition, Cedar scope and conditions."""

    def __init__(self, effect, sut, cedar_scope, cedar_when=None, cedar_unless=None, holds=None):
        self.effect = effect
        self.holds = holds  # the rule in Python over the Suture request: the --reference oracle
        self.sut = sut
        self.cedar_scope = cedar_scope  # (principal, action, resource) scope text
        self.cedar_when = cedar_when
        self.cedar_unless = cedar_unless


def sut_set(values):
    return "{" + ", ".join(json.dumps(v) for v in values) + "}"


def cedar_actions(actions):
    if len(actions) == 1:
        return f'action == Action::{json.dumps(actions[0])}'
    return "action in [" + ", ".join(f"Action::{json.dumps(a)}" for a in actions) + "]"


def sut_actions(actions):
    if len(actions) == 1:
        return f"action == {json.dumps(actions[0])}"
    return f"action in {sut_set(actions)}"


def sut_label(code):
    # INVARIANT: a label is matched on its code alone, as the Cedar side's `labels` set holds
    # the codes of meta.security and nothing else.
    return f"(res.meta?.security?.any(s => s.code == {json.dumps(code)}) ?? false)"


def labelled(request, code):
    meta = request["res"].get("meta") or {}
    return any(s.get("code") == code for s in meta.get("security") or [])


def core_rules():
    """The hospital's core policy: generic permits and the confidentiality forbids."""
    def p(r):
        return r["principal"]
    return [
        Rule("permit", 'principal.role == "clinician" and action in {"read", "search"}',
             ("principal", cedar_actions(["read", "search"]), "resource"),
             'principal.role == "clinician"',
             holds=lambda r: p(r)["role"] == "clinician" and r["action"] in ("read", "search")),
        Rule("forbid", f'action == "read" and {sut_label("R")} and principal.role != "privacy-officer"',
             ("principal", cedar_actions(["read"]), "resource"),
             'resource.labels.contains("R")', 'principal.role == "privacy-officer"',
             holds=lambda r: r["action"] == "read" and labelled(r, "R") and p(r)["role"] != "privacy-officer"),
        Rule("permit", 'principal.roles.contains("nurse") and action == "read" '
                       'and principal.scopes.contains("patient/Patient.r")',
             ("principal", cedar_actions(["read"]), "resource"),
             'principal.roles.contains("nurse") && principal.scopes.contains("patient/Patient.r")',
             holds=lambda r: "nurse" in p(r)["roles"] and r["action"] == "read"
             and "patient/Patient.r" in p(r)["scopes"]),
        Rule("forbid", f'{sut_label("V")} and not principal.scopes.contains("phi.restricted")',
             ("principal", "action", "resource"),
             'resource.labels.contains("V")', 'principal.scopes.contains("phi.restricted")',
             holds=lambda r: labelled(r, "V") and "phi.restricted" not in p(r)["scopes"]),
        Rule("permit", 'principal.role in {"scheduler", "billing"} and action == "sync"',
             ("principal", cedar_actions(["sync"]), "resource"),
             'principal.role == "scheduler" || principal.role == "billing"',
             holds=lambda r: p(r)["role"] in ("scheduler", "billing") and r["action"] == "sync"),
        Rule("forbid", 'action == "delete" and (res.active ?? true)',
             ("principal", cedar_actions(["delete"]), "resource"),
             '!(resource has active) || resource.active',
             holds=lambda r: r["action"] == "delete" and r["res"].get("active", True)),
        Rule("permit", 'principal.kind == "service" and principal.scopes.contains("patient/Patient.rs") '
                       'and action in {"read", "search", "sync"}',
             ("principal", cedar_actions(["read", "search", "sync"]), "resource"),
             'principal.kind == "service" && principal.scopes.contains("patient/Patient.rs")',
             holds=lambda r: p(r)["kind"] == "service" and "patient/Patient.rs" in p(r)["scopes"]
             and r["action"] in ("read", "search", "sync")),
        Rule("forbid", f'{sut_label("HIV")} and not principal.scopes.contains("phi.hiv") '
                       'and action in {"read", "search"}',
             ("principal", cedar_actions(["read", "search"]), "resource"),
             'resource.labels.contains("HIV")', 'principal.scopes.contains("phi.hiv")',
             holds=lambda r: labelled(r, "HIV") and "phi.hiv" not in p(r)["scopes"]
             and r["action"] in ("read", "search")),
        Rule("permit", 'principal.role == "midwife" and action == "read" and res.gender == "female"',
             ("principal", cedar_actions(["read"]), "resource"),
             'principal.role == "midwife" && resource has gender && resource.gender == "female"',
             holds=lambda r: p(r)["role"] == "midwife" and r["action"] == "read"
             and r["res"].get("gender") == "female"),
        Rule("permit", 'principal.role == "admin" and action in {"write", "delete"}',
             ("principal", cedar_actions(["write", "delete"]), "resource"),
             'principal.role == "admin"',
             holds=lambda r: p(r)["role"] == "admin" and r["action"] in ("write", "delete")),
        # Not principal.attributes: `suture build` does not compile map<string, string> (S5001).
        Rule("permit", 'principal.role == "researcher" and action == "search" '
                       'and (res.meta?.security?.any(s => s.code in {"L", "N"}) ?? false)',
             ("principal", cedar_actions(["search"]), "resource"),
             'principal.role == "researcher" && resource.labels.containsAny(["L", "N"])',
             holds=lambda r: p(r)["role"] == "researcher" and r["action"] == "search"
             and (labelled(r, "L") or labelled(r, "N"))),
        Rule("permit", 'principal.roles.contains("auditor") and action == "search"',
             ("principal", cedar_actions(["search"]), "resource"),
             'principal.roles.contains("auditor")',
             holds=lambda r: "auditor" in p(r)["roles"] and r["action"] == "search"),
        Rule("forbid", f'action in {{"write", "delete"}} and {sut_label("N")} '
                       'and not principal.roles.contains("admin")',
             ("principal", cedar_actions(["write", "delete"]), "resource"),
             'resource.labels.contains("N")', 'principal.roles.contains("admin")',
             holds=lambda r: r["action"] in ("write", "delete") and labelled(r, "N")
             and "admin" not in p(r)["roles"]),
        Rule("permit", 'principal.scopes.contains("user/Patient.read") and action == "read" '
                       'and principal.role != "researcher"',
             ("principal", cedar_actions(["read"]), "resource"),
             'principal.scopes.contains("user/Patient.read")', 'principal.role == "researcher"',
             holds=lambda r: "user/Patient.read" in p(r)["scopes"] and r["action"] == "read"
             and p(r)["role"] != "researcher"),
    ]


def person_id(i):
    return f"u{i:05d}"


def patient_id(i):
    return f"p{i:05d}"


def person_rules(count, rng, n_people, n_patients):
    """Grants to one person (most), to one person for one patient, and suspensions."""
    def by(who, actions, patient=None):
        return lambda r: (r["principal"]["id"] == who and r["action"] in actions
                          and (patient is None or r["res"].get("id") == patient))

    rules = []
    for _ in range(count):
        who = person_id(rng.randrange(n_people))
        kind = rng.random()
        if kind < 0.70:
            actions = sorted(rng.sample(ACTIONS, rng.choice([1, 2, 3])), key=ACTIONS.index)
            rules.append(Rule("permit", f"principal.id == {json.dumps(who)} and {sut_actions(actions)}",
                              (f"principal == User::{json.dumps(who)}", cedar_actions(actions), "resource"),
                              holds=by(who, actions)))
        elif kind < 0.92:
            patient = patient_id(rng.randrange(n_patients))
            actions = sorted(rng.sample(ACTIONS[:3], rng.choice([1, 2])), key=ACTIONS.index)
            rules.append(Rule("permit", f"principal.id == {json.dumps(who)} and res.id == {json.dumps(patient)} "
                                        f"and {sut_actions(actions)}",
                              (f"principal == User::{json.dumps(who)}", cedar_actions(actions),
                               f"resource == Patient::{json.dumps(patient)}"),
                              holds=by(who, actions, patient)))
        elif kind < 0.97:
            actions = ["write", "delete"]
            rules.append(Rule("forbid", f"principal.id == {json.dumps(who)} and {sut_actions(actions)}",
                              (f"principal == User::{json.dumps(who)}", cedar_actions(actions), "resource"),
                              holds=by(who, actions)))
        else:
            # A person who may read restricted records, unless the record is also labelled V.
            grant = by(who, ["read"])
            rules.append(Rule("permit", f"principal.id == {json.dumps(who)} and action == \"read\" "
                                        f"and not {sut_label('V')}",
                              (f"principal == User::{json.dumps(who)}", cedar_actions(["read"]), "resource"),
                              None, 'resource.labels.contains("V")',
                              holds=lambda r, grant=grant: grant(r) and not labelled(r, "V")))
    return rules


def reference_decision(ordinal, rules, request):
    """The decision the Suture policy should give, from the language reference's semantics."""
    held = [(f"r{i}", rule.effect) for i, rule in enumerate(rules, 1) if rule.holds(request)]
    forbids = [label for label, effect in held if effect == "forbid"]
    permits = [label for label, effect in held if effect == "permit"]
    permitted = bool(permits) and not forbids
    return {"request": ordinal, "decision": "permit" if permitted else "deny",
            "rules": permits if permitted else forbids, "skipped": []}


def make_rules(n_rules, rng, n_people, n_patients):
    core = core_rules()
    if n_rules <= len(core):
        return core[:n_rules]
    return core + person_rules(n_rules - len(core), rng, n_people, n_patients)


def write_sut(path, rules):
    with open(path, "w") as out:
        out.write("// Generated by bench/policies/gen_policies.py: the Suture half of an equivalent pair\n"
                  "// (policies.cedar is the other). Rule rN here is @id(\"rN\") there.\n"
                  "module bench.policies\n\nimport fhir.r4 (Patient)\n\n"
                  "policy access(principal: Principal, action: string, res: Patient) {\n")
        for i, rule in enumerate(rules, 1):
            out.write(f"  r{i}: {rule.effect} when {rule.sut}\n")
        out.write("}\n")


def write_cedar(path, rules):
    with open(path, "w") as out:
        out.write("// Generated by bench/policies/gen_policies.py: the Cedar half of an equivalent pair\n"
                  "// (policies.sut is the other). @id(\"rN\") here is rule rN there.\n")
        for i, rule in enumerate(rules, 1):
            principal, action, resource = rule.cedar_scope
            text = f'@id("r{i}")\n{rule.effect} ({principal}, {action}, {resource})'
            if rule.cedar_when:
                text += f"\nwhen {{ {rule.cedar_when} }}"
            if rule.cedar_unless:
                text += f"\nunless {{ {rule.cedar_unless} }}"
            out.write(text + ";\n")


def make_principal(rng, n_people):
    # Most callers are people some rule names; the rest are strangers to the per-person rules.
    index = rng.randrange(n_people) if rng.random() < 0.8 else n_people + rng.randrange(n_people + 1)
    role = rng.choice(ROLES)
    roles = {role} | set(rng.sample(ROLES, rng.choice([0, 0, 1, 2])))
    scopes = set(rng.sample(SCOPES, rng.choice([0, 1, 1, 2, 3])))
    attributes = {}
    if rng.random() < 0.6:
        attributes["department"] = rng.choice(DEPARTMENTS)
    if rng.random() < 0.2:
        attributes["site"] = rng.choice(["north", "south"])
    return {
        "id": person_id(index),
        "kind": "service" if role == "integration" or rng.random() < 0.05 else "human",
        "role": role,
        "roles": sorted(roles),
        "scopes": sorted(scopes),
        "attributes": attributes,
    }


def make_patient(rng, n_patients):
    patient = {"resourceType": "Patient", "id": patient_id(rng.randrange(n_patients))}
    if rng.random() < 0.85:
        security = []
        roll = rng.random()
        if roll < 0.55:
            security.append({"system": CONFIDENTIALITY, "code": "N"})
        elif roll < 0.80:
            security.append({"system": CONFIDENTIALITY, "code": "R"})
        elif roll < 0.90:
            security.append({"system": CONFIDENTIALITY, "code": "V"})
        if rng.random() < 0.1:
            security.append({"system": ACT_CODE, "code": "HIV"})
        patient["meta"] = {"security": security} if security or rng.random() < 0.5 else {}
    if rng.random() < 0.9:
        patient["gender"] = rng.choice(GENDERS)
    if rng.random() < 0.8:
        patient["active"] = rng.random() < 0.85
    return patient


def cedar_request(request):
    """The same request as Cedar sees it: entities carry every attribute a rule reads."""
    principal, patient = request["principal"], request["res"]
    labels = sorted({s["code"] for s in (patient.get("meta") or {}).get("security", []) if "code" in s})
    patient_attrs = {"labels": labels}
    for optional in ("gender", "active"):
        if optional in patient:
            patient_attrs[optional] = patient[optional]
    user = {"type": "User", "id": principal["id"]}
    resource = {"type": "Patient", "id": patient["id"]}
    return {
        "principal": user,
        "action": {"type": "Action", "id": request["action"]},
        "resource": resource,
        "context": {},
        "entities": [
            {"uid": user, "attrs": {key: principal[key] for key in
                                    ("kind", "role", "roles", "scopes", "attributes")}, "parents": []},
            {"uid": resource, "attrs": patient_attrs, "parents": []},
        ],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n_rules", type=int)
    parser.add_argument("seed", type=int)
    parser.add_argument("out_dir")
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--reference", action="store_true",
                        help="also write reference.ndjson: the decisions computed in Python from the "
                             "rules' meaning, to check the Cedar side before Suture can run")
    args = parser.parse_args()
    if args.n_rules < 1:
        parser.error("N_RULES must be at least 1")
    rng = random.Random(args.seed)
    # As many people as per-person rules (at least 50), so ids stay distinct as rules grow.
    n_people = max(50, args.n_rules)
    n_patients = max(200, args.n_rules // 2)
    rules = make_rules(args.n_rules, rng, n_people, n_patients)
    os.makedirs(args.out_dir, exist_ok=True)
    write_sut(os.path.join(args.out_dir, "policies.sut"), rules)
    write_cedar(os.path.join(args.out_dir, "policies.cedar"), rules)

    requests_rng = random.Random(args.seed * 7919 + 1)
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    reference_out = open(os.path.join(args.out_dir, "reference.ndjson"), "w") if args.reference else None
    with open(os.path.join(args.out_dir, "requests.ndjson"), "w") as suture_out, \
            open(os.path.join(args.out_dir, "requests.cedar.json"), "w") as cedar_out:
        cedar_out.write("[\n")
        for n in range(args.requests):
            request = {
                "principal": make_principal(requests_rng, n_people),
                "action": requests_rng.choice(ACTIONS),
                "res": make_patient(requests_rng, n_patients),
            }
            suture_out.write(json.dumps(request, **compact) + "\n")
            cedar_out.write(("," if n else "") + json.dumps(cedar_request(request), **compact) + "\n")
            if reference_out:
                reference_out.write(json.dumps(reference_decision(n + 1, rules, request), **compact) + "\n")
        cedar_out.write("]\n")
    if reference_out:
        reference_out.close()


if __name__ == "__main__":
    main()
