#!/usr/bin/env bash
# Load test: wrk against POST /v1/govern (a realistic ~1 KiB tool call, strict audit) and
# against GET /healthz on the same server, in the same run. Prints requests/s, p99 and the
# ratio. Traffic goes to 127.0.0.1 only; every run is bounded in time.
#
#   scripts/load.sh [--connections 64] [--duration 10s] [--threads 2] [--durability strict|async]
#                   [--users 1]
#   WARDEN_BIN=path/to/warden scripts/load.sh …   # measure another build instead
#   PERF_OUT=perf.data scripts/load.sh …          # also `perf record -g` the server under /v1/govern
#   scripts/load.sh --floor …                      # also the HTTP floor: the same exchange without
#                                                  # the work (routes of the `load-floor` feature;
#                                                  # builds into target/load-floor)
#
# Builds the release binary, starts `warden serve` on a free port with a fresh data dir,
# mints a token, runs wrk, checks that every 200 has its audit record, stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=64 DURATION=10s THREADS=2 DURABILITY=strict USERS=1 FLOOR=
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) CONNECTIONS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --durability) DURABILITY=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --floor) FLOOR=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk" >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi

if [ -n "$FLOOR" ] && [ -z "${WARDEN_BIN:-}" ]; then
  # The floor routes exist only in a build with the `load-floor` feature, kept apart from the
  # shipped binary.
  cargo build --release -q --bin warden --features load-floor --target-dir target/load-floor
  WARDEN_BIN=target/load-floor/release/warden
fi
. scripts/lib/warden-bin.sh
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/warden.toml" <<TOML
[audit]
durability = "$DURABILITY"

[governance.rate_limit]
enabled = false
TOML

"$BIN" --config "$WORK/warden.toml" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
ADMIN=$(cat "$WORK/data/admin.token")
# The load is an agent's: a session token (not the admin token, whose admin bypass would skip
# the scope and blocklist layers) and a real agent's User-Agent (wrk sends none by default,
# which the bot detection layer rightly flags and logs as a scanner).
# With --users N > 1, N principals (load-agent-1 … load-agent-N) take turns, request by
# request: the audit log then sees many users, as a shared deployment does.
mint() {
  curl -fsS -X POST "http://127.0.0.1:$PORT/v1/tokens" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' \
    -d "{\"kind\":\"session\",\"user_id\":\"$1\",\"session_id\":\"sess_$1\",\"email\":\"agent@example.com\",\"scope\":\"user mcp\",\"ttl_secs\":3600}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
if [ "$USERS" -le 1 ]; then
  TOKEN=$(mint load-agent)
  TOKENS_LUA=""
else
  TOKEN=$(mint load-agent-1)
  TOKENS_LUA="tokens = {"
  for u in $(seq 1 "$USERS"); do TOKENS_LUA="$TOKENS_LUA\"$(mint "load-agent-$u")\","; done
  TOKENS_LUA="$TOKENS_LUA}
local i = 0
request = function()
  i = i % #tokens + 1
  wrk.headers[\"Authorization\"] = \"Bearer \" .. tokens[i]
  return wrk.format()
end"
fi
UA="claude-code/2.0.14 (external, cli)"

# A realistic ~1 KiB tool call.
python3 - "$WORK/body.json" <<'PY'
import json, sys
body = {"tool": "Bash", "call_id": None, "arguments": {
  "command": "cd /home/dev/project && cargo test --workspace -- --nocapture 2>&1 | tee /tmp/test.log | grep -E 'test result|FAILED' ; git status --short; git diff --stat HEAD~1",
  "description": "Run the test suite and show what changed since the previous commit, keeping the full log for later inspection",
  "timeout": 120000,
  "env": {"RUST_LOG": "info", "CARGO_TERM_COLOR": "never", "PATH": "/usr/local/bin:/usr/bin:/bin"},
  "context": "The user asked to verify the refactor of the storage layer. " * 9}}
del body["call_id"]
open(sys.argv[1], "w").write(json.dumps(body))
PY
BODY_BYTES=$(wc -c < "$WORK/body.json")

cat > "$WORK/govern.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["User-Agent"] = "$UA"
local f = io.open("$WORK/body.json"); wrk.body = f:read("*a"); f:close()
$TOKENS_LUA
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests))
end
LUA
cat > "$WORK/health.lua" <<LUA
wrk.headers["User-Agent"] = "$UA"
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d requests=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, summary.requests))
end
LUA

# Server CPU time (user + system, clock ticks) — CPU per request is steadier than requests/s
# on a shared machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
TICK=$(getconf CLK_TCK)
run() {
  local before after out reqs
  before=$(cpu_ticks)
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$2" "http://127.0.0.1:$PORT$1" | grep '^RESULT')
  after=$(cpu_ticks)
  reqs=$(echo "$out" | tr ' ' '\n' | grep '^requests=' | cut -d= -f2)
  echo "$out server_cpu_us_per_req=$(( (after - before) * 1000000 / TICK / (reqs > 0 ? reqs : 1) ))"
}
echo "body: $BODY_BYTES bytes; connections: $CONNECTIONS; duration: $DURATION per endpoint; audit durability: $DURABILITY; users: $USERS"
H=$(run /healthz "$WORK/health.lua");  echo "healthz     $H"
if [ -n "${PERF_OUT:-}" ]; then
  perf record -g -o "$PERF_OUT" -p "$SERVER" 2>/dev/null &
  PERF=$!
fi
G=$(run /v1/govern "$WORK/govern.lua"); echo "v1/govern   $G"
if [ -n "${PERF_OUT:-}" ]; then kill -INT "$PERF"; wait "$PERF" || true; fi
get() { echo "$1" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
if [ -n "$FLOOR" ]; then
  # The same request bytes (token, 1 KiB body) and a canned answer of the same size: what the
  # HTTP exchange costs without the work, with and without authentication.
  if [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/__load/floor")" = 404 ]; then
    echo "--floor: $BIN was built without the load-floor feature" >&2
    exit 2
  fi
  F=$(run /__load/floor "$WORK/govern.lua"); echo "floor       $F"
  FA=$(run /__load/floor-auth "$WORK/govern.lua"); echo "floor+auth  $FA"
  python3 - "$(get "$H" rps)" "$(get "$F" rps)" "$(get "$FA" rps)" "$(get "$G" rps)" <<'PY'
import sys
h, f, fa, g = map(float, sys.argv[1:])
print(f"ratio floor/healthz = {f / h:.2f}; floor+auth/healthz = {fa / h:.2f}; govern/floor+auth = {g / fa:.2f}")
PY
fi
python3 - "$(get "$H" rps)" "$(get "$G" rps)" <<'PY'
import sys
h, g = float(sys.argv[1]), float(sys.argv[2])
print(f"ratio govern/healthz = {g / h:.2f}")
PY
GOV_OK=$(( $(get "$G" requests) - $(get "$G" non2xx) ))
VERIFY=$("$BIN" audit verify --data-dir "$WORK/data" 2>/dev/null || true)
echo "audit verify: $VERIFY (200 responses to /v1/govern: $GOV_OK)"
