#!/usr/bin/env node
// cedar_decide.mjs — the Cedar side of the policy benchmark (bench/policies/policy_bench.sh):
// loads a Cedar policy set and the requests gen_policies.py wrote, preparses the policies once
// (preparsePolicySet), decides every request with statefulIsAuthorized and writes one decision
// line per request in the shape of `suture authorize`'s (runtime/exec/policy_runner.h):
//
//   {"request":N,"decision":"permit"|"deny","rules":[…sorted…],"skipped":[{"rule":…,"error":…}]}
//
// N counts from 1 as Suture's message ordinals do. Rules are named by their @id annotation
// (Cedar itself calls them policy0, policy1, …).
//
//   node cedar_decide.mjs POLICIES.cedar REQUESTS.cedar.json [--out FILE] [--time]
//                         [--cross-check K]
//
//   --out FILE         decisions there instead of stdout
//   --time             also print (stderr) load and preparse times, decisions/s over the decide
//                      loop and the median / p99 of one statefulIsAuthorized call (hrtime)
//   --cross-check K    decide K requests spread over the file again with the stateless
//                      isAuthorized (policies parsed on every call) and fail on any difference
import { readFileSync, openSync, writeSync, closeSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cedar = require("@cedar-policy/cedar-wasm/nodejs");

const POLICY_SET_ID = "bench";

function usage(message) {
  if (message) process.stderr.write(`cedar_decide.mjs: ${message}\n`);
  process.stderr.write(
    "usage: node cedar_decide.mjs POLICIES.cedar REQUESTS.cedar.json [--out FILE] [--time] [--cross-check K]\n");
  process.exit(2);
}

function parseArgs(argv) {
  const args = { positional: [], out: null, time: false, crossCheck: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--out") args.out = argv[++i] ?? usage("--out needs a file");
    else if (arg === "--time") args.time = true;
    else if (arg === "--cross-check") args.crossCheck = Number(argv[++i] ?? usage("--cross-check needs a count"));
    else if (arg.startsWith("--")) usage(`unknown option ${arg}`);
    else args.positional.push(arg);
  }
  if (args.positional.length !== 2) usage();
  if (!Number.isInteger(args.crossCheck) || args.crossCheck < 0) usage("--cross-check needs a count");
  return args;
}

function failWith(what, errors) {
  const text = (errors ?? []).map((e) => `  ${e.message}${e.help ? ` (${e.help})` : ""}`).join("\n");
  process.stderr.write(`cedar_decide.mjs: ${what}\n${text}\n`);
  process.exit(1);
}

// Cedar names the policies of a text policy0, policy1, … in the order they appear; the rules are
// named by their @id annotations, read here in the same order with a pattern (cheap enough not
// to weigh on the whole-process time). --cross-check verifies that reading: its stateless calls
// get the policies as a map from each policy's @id (as Cedar's own parse gives it) to its text,
// so a misread id shows as a disagreement.
function annotatedIds(text) {
  return Array.from(text.matchAll(/^@id\("((?:[^"\\]|\\.)*)"\)/gm), (m) => JSON.parse(`"${m[1]}"`));
}

function policiesById(text, ids) {
  const parts = cedar.policySetTextToParts(text);
  if (parts.type !== "success") failWith("the policies do not parse", parts.errors);
  const byId = {};
  for (const policy of parts.policies) {
    const json = cedar.policyToJson(policy);
    if (json.type !== "success") failWith("a policy does not convert to JSON", json.errors);
    const id = json.json.annotations?.id;
    if (id === undefined) failWith(`a policy has no @id annotation:\n${policy}`, []);
    if (id in byId) failWith(`two policies are @id("${id}")`, []);
    byId[id] = policy;
  }
  if (parts.policies.length !== ids.length || !ids.every((id) => id in byId)) {
    failWith("the @id annotations read by pattern are not those Cedar parses (write each at the start of a line)", []);
  }
  return byId;
}

const byLabel = new Intl.Collator("en", { numeric: true }).compare;  // r2 before r10

function decisionLine(ordinal, answer, ids) {
  const label = (policyId) => ids[Number(policyId.slice("policy".length))] ?? policyId;
  if (answer.type !== "success") {
    // Cedar could not evaluate the request at all (a malformed entity): Suture's counterpart
    // is a rejection, never a decision, so the line says so and comparison flags it.
    const error = answer.errors.map((e) => e.message).join("; ");
    return { request: ordinal, decision: "error", rules: [], skipped: [], error };
  }
  const { decision, diagnostics } = answer.response;
  return {
    request: ordinal,
    decision: decision === "allow" ? "permit" : "deny",
    rules: diagnostics.reason.map(label).sort(byLabel),
    skipped: diagnostics.errors
      .map((e) => ({ rule: label(e.policyId), error: e.error.message }))
      .sort((a, b) => byLabel(a.rule, b.rule)),
  };
}

function sameDecision(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const [policiesPath, requestsPath] = args.positional;
  const t0 = process.hrtime.bigint();

  const policies = readFileSync(policiesPath, "utf8");
  const ids = annotatedIds(policies);
  const policyMap = args.crossCheck ? policiesById(policies, ids) : null;
  const tSplit = process.hrtime.bigint();
  const preparsed = cedar.preparsePolicySet(POLICY_SET_ID, { staticPolicies: policies });
  if (preparsed.type !== "success") failWith("preparsePolicySet failed", preparsed.errors);
  const tPreparse = process.hrtime.bigint();

  const requests = JSON.parse(readFileSync(requestsPath, "utf8"));
  const tRequests = process.hrtime.bigint();

  const out = args.out ? openSync(args.out, "w") : 1;
  const durations = args.time ? new Float64Array(requests.length) : null;
  const decisions = [];
  let chunk = "";
  let errors = 0;
  const tLoop = process.hrtime.bigint();
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i];
    const call = {
      principal: request.principal,
      action: request.action,
      resource: request.resource,
      context: request.context,
      entities: request.entities,
      preparsedPolicySetId: POLICY_SET_ID,
    };
    let answer;
    if (durations) {
      const start = process.hrtime.bigint();
      answer = cedar.statefulIsAuthorized(call);
      durations[i] = Number(process.hrtime.bigint() - start);
    } else {
      answer = cedar.statefulIsAuthorized(call);
    }
    const line = decisionLine(i + 1, answer, ids);
    if (line.decision === "error" || line.skipped.length) errors++;
    if (args.crossCheck) decisions.push(line);
    chunk += JSON.stringify(line) + "\n";
    if (chunk.length > 1 << 16) {
      writeSync(out, chunk);
      chunk = "";
    }
  }
  writeSync(out, chunk);
  const tDone = process.hrtime.bigint();
  if (args.out) closeSync(out);

  if (errors) process.stderr.write(`cedar_decide.mjs: ${errors} request(s) with evaluation errors (see "skipped")\n`);

  if (args.time) {
    const ms = (a, b) => Number(b - a) / 1e6;
    const sorted = Float64Array.from(durations).sort();
    const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0);
    const loopSeconds = Number(tDone - tLoop) / 1e9;
    const n = requests.length;
    process.stderr.write(
      `cedar ${cedar.getCedarVersion()}: ${ids.length} policies, ${n} requests\n` +
      `  read+@id ${ms(t0, tSplit).toFixed(1)} ms, preparse ${ms(tSplit, tPreparse).toFixed(1)} ms, ` +
      `read requests ${ms(tPreparse, tRequests).toFixed(1)} ms\n` +
      `  decide loop ${(loopSeconds * 1e3).toFixed(1)} ms: ${(n / loopSeconds).toFixed(0)} decisions/s ` +
      `(output lines included)\n` +
      `  one statefulIsAuthorized call: median ${(at(0.5) / 1e3).toFixed(2)} us, ` +
      `p99 ${(at(0.99) / 1e3).toFixed(2)} us\n`);
  }

  if (args.crossCheck) {
    const k = Math.min(args.crossCheck, requests.length);
    const step = requests.length / Math.max(k, 1);
    let differ = 0;
    for (let j = 0; j < k; j++) {
      const i = Math.floor(j * step);
      const r = requests[i];
      const answer = cedar.isAuthorized({
        principal: r.principal, action: r.action, resource: r.resource, context: r.context,
        entities: r.entities, policies: { staticPolicies: policyMap },
      });
      const stateless = decisionLine(i + 1, answer, []);  // ids are the @id already
      if (!sameDecision(stateless, decisions[i])) {
        differ++;
        process.stderr.write(`cross-check: request ${i + 1}: isAuthorized ${JSON.stringify(stateless)}\n` +
                             `             statefulIsAuthorized ${JSON.stringify(decisions[i])}\n`);
      }
    }
    process.stderr.write(`cross-check: isAuthorized agrees with statefulIsAuthorized on ${k - differ} of ${k}\n`);
    if (differ) process.exit(1);
  }
}

main();
