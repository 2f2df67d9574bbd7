#!/usr/bin/env bash
# host_bench.sh [SECONDS] [CONNECTIONS] — load benchmark of suture-host's accept path, with
# delivery measured next to it. See bench/host/README.md for what is measured and why.
#
# Environment (all optional):
#   SUTURE_HOST      the host binary            (default build/bin/suture-host)
#   SUTURE           the compiler               (default build/bin/suture)
#   SUTURE_DATA      the shared data folder     (default ../shared/data)
#   BENCH_THREADS    wrk threads                (default 2)
#   BENCH_DELIVERY   on: deliver to a local receiver while loading (default);
#                    off: the endpoint is down, deliveries wait in the store (accept path only)
#   BENCH_DRAIN      seconds to wait after the load for deliveries to catch up (default 60)
#   BENCH_STRICT     1: exit 1 when a goal is missed
#   BENCH_KEEP       1: keep the work folder (configuration, logs, store)
set -euo pipefail

SECONDS_ARG="${1:-10}"
CONNECTIONS="${2:-64}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HOST_BIN="${SUTURE_HOST:-$ROOT/build/bin/suture-host}"
SUTURE_BIN="${SUTURE:-$ROOT/build/bin/suture}"
DATA="${SUTURE_DATA:-$ROOT/../shared/data}"
THREADS="${BENCH_THREADS:-2}"
DELIVERY="${BENCH_DELIVERY:-on}"
DRAIN="${BENCH_DRAIN:-60}"
TOOL="$ROOT/bench/host/bench_tool.py"
GOAL_RATE=25000
GOAL_P99_MS=10
GOAL_RSS_MB=256

if (( THREADS > CONNECTIONS )); then THREADS="$CONNECTIONS"; fi
[[ -x "$HOST_BIN" ]] || { echo "host_bench: no host binary at $HOST_BIN (build it, or set SUTURE_HOST)" >&2; exit 2; }
[[ -x "$SUTURE_BIN" ]] || { echo "host_bench: no compiler at $SUTURE_BIN (build it, or set SUTURE)" >&2; exit 2; }
[[ -f "$DATA/fhir-r4/examples/Patient-pat2.json" ]] || { echo "host_bench: no shared data at $DATA (set SUTURE_DATA)" >&2; exit 2; }

if ! command -v wrk >/dev/null 2>&1; then
  echo "host_bench: installing wrk (Debian package)"
  if ! apt-get install -y wrk >/dev/null 2>&1; then
    apt-get update >/dev/null && apt-get install -y wrk >/dev/null
  fi
fi

WORK="$(mktemp -d /tmp/suture-host-bench.XXXXXX)"
HOST_PID=""
SINK_PID=""
cleanup() {
  [[ -n "$HOST_PID" ]] && kill "$HOST_PID" 2>/dev/null && wait "$HOST_PID" 2>/dev/null || true
  [[ -n "$SINK_PID" ]] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null || true
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then echo "host_bench: work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The keys the configuration names through the environment (as the e2e tests do).
export EHR_KEY="ehr-e2e-key-0123456789abcdef" ODOO_HOOK_KEY="odoo-hook-e2e-key-0123456789"
export ADMIN_KEY="admin-e2e-key-0123456789abcdef" ODOO_PASSWORD="admin" ODOO_API_KEY="odoo-json2-standin-key"

echo "host_bench: building the pack"
"$SUTURE_BIN" build "$ROOT/specs/patients" "$ROOT/bench/host/specs" -o "$WORK/bench.spk" >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; exit 2; }

SINK_URL=""
if [[ "$DELIVERY" == on ]]; then
  python3 "$ROOT/tests/host/standins/webhook_sink.py" --port 0 --fast >"$WORK/sink.out" 2>"$WORK/sink.err" &
  SINK_PID=$!
  for _ in $(seq 100); do grep -q '^ready ' "$WORK/sink.out" 2>/dev/null && break; sleep 0.1; done
  SINK_URL="http://127.0.0.1:$(awk '/^ready /{print $2}' "$WORK/sink.out")"
fi

WEB_PORT="$(free_port)"
ADMIN_PORT="$(free_port)"
python3 "$TOOL" config --out "$WORK/host.yaml" --pack "$WORK/bench.spk" --store "$WORK/store.db" \
  --web "$WEB_PORT" --admin "$ADMIN_PORT" ${SINK_URL:+--sink "$SINK_URL"}
python3 "$TOOL" lua --patient "$DATA/fhir-r4/examples/Patient-pat2.json" --key "$EHR_KEY" --out "$WORK/post_patient.lua"

"$HOST_BIN" --config "$WORK/host.yaml" >"$WORK/host.out" 2>"$WORK/host.log" &
HOST_PID=$!
python3 "$TOOL" ready --log "$WORK/host.log" --timeout 60 >/dev/null || { tail -20 "$WORK/host.log" >&2; exit 2; }
ADMIN_URL="http://127.0.0.1:$ADMIN_PORT"

# A short warm-up (connections, JIT code paths, SQLite pages), not counted.
wrk -t1 -c4 -d1s -s "$WORK/post_patient.lua" "http://127.0.0.1:$WEB_PORT" -- warmup >/dev/null 2>&1 || true
BEFORE="$(python3 "$TOOL" metric --url "$ADMIN_URL" suture_messages_accepted_total route=bench_patients)"

echo "host_bench: wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_ARG}s POST /bench/Patient (delivery $DELIVERY)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_ARG}s" --latency -s "$WORK/post_patient.lua" \
  "http://127.0.0.1:$WEB_PORT" -- "run$$" >"$WORK/wrk.out" 2>&1 || { cat "$WORK/wrk.out" >&2; exit 2; }
kill -0 "$HOST_PID" 2>/dev/null || { echo "host_bench: the host died under load" >&2; tail -20 "$WORK/host.log" >&2; exit 1; }

RSS_KB="$(awk '/^VmHWM:/{print $2}' "/proc/$HOST_PID/status")"
ACCEPTED="$(python3 "$TOOL" metric --url "$ADMIN_URL" suture_messages_accepted_total route=bench_patients)"
DELIVERED_AT_END="$(python3 "$TOOL" metric --url "$ADMIN_URL" suture_deliveries_delivered_total route=bench_patients)"
DRAINED=""
if [[ "$DELIVERY" == on ]]; then
  DRAINED="$(python3 "$TOOL" wait-delivered --url "$ADMIN_URL" --timeout "$DRAIN")"
fi

LINE="$(grep '^bench: ' "$WORK/wrk.out" || true)"
[[ -n "$LINE" ]] || { cat "$WORK/wrk.out" >&2; exit 2; }
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<" ${LINE#bench: }"; }
REQS="$(field requests)"; DUR="$(field duration_us)"; STATUS_ERR="$(field status_errors)"
SOCK_ERR=$(( $(field connect) + $(field read) + $(field write) + $(field timeout) ))
P50="$(field p50_us)"; P99="$(field p99_us)"; P999="$(field p999_us)"; MAX="$(field max_us)"

RESULT=0
python3 - "$REQS" "$DUR" "$STATUS_ERR" "$SOCK_ERR" "$P50" "$P99" "$P999" "$MAX" "$RSS_KB" "$BEFORE" "$ACCEPTED" \
  "$DELIVERED_AT_END" "$DRAINED" "$SECONDS_ARG" "$CONNECTIONS" "$THREADS" "$DELIVERY" <<'EOF' || RESULT=$?
import sys
(reqs, dur, status_err, sock_err, p50, p99, p999, mx, rss_kb, before, accepted, delivered_end, drained,
 seconds, conns, threads, delivery) = sys.argv[1:]
reqs, dur, status_err, sock_err = int(reqs), int(dur), int(status_err), int(sock_err)
ok = reqs - status_err
rate = ok / (dur / 1e6) if dur else 0.0
p50, p99, p999, mx = (int(x) / 1000.0 for x in (p50, p99, p999, mx))
rss = int(rss_kb) / 1024.0
stored = int(float(accepted)) - int(float(before))  # includes requests still in flight when wrk stopped counting
goals = {"rate": rate >= 25000, "p99": p99 <= 10, "rss": rss <= 256}
mark = lambda g: "met" if goals[g] else "MISSED"
print()
print("suture-host load benchmark: %ss, %s connections, %s wrk threads, delivery %s" % (seconds, conns, threads, delivery))
print("  accepted      %8.0f msg/s   (%d requests answered 2xx, %d other statuses, %d socket errors)  goal >= 25000: %s"
      % (rate, ok, status_err, sock_err, mark("rate")))
print("  stored        %8d messages during the run (suture_messages_accepted_total)" % stored)
print("  latency       p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms  goal p99 <= 10 ms: %s" % (p50, p99, p999, mx, mark("p99")))
print("  peak RSS      %8.1f MB (VmHWM)  goal <= 256 MB: %s" % (rss, mark("rss")))
if drained:
    d, a, t = drained.split()
    print("  delivered     %s when the load stopped; %s of %s after %ss more (suture_deliveries_delivered_total)"
          % (int(float(delivered_end)), d, a, t))
else:
    print("  delivered     %s (delivery off: the rest waits in the store)" % int(float(delivered_end)))
sys.exit(0 if all(goals.values()) else 3)
EOF
if [[ "$RESULT" == 3 && "${BENCH_STRICT:-0}" == 1 ]]; then exit 1; fi
exit 0
