#!/usr/bin/env bash
# Wall time of one `warden hook claude-code` call evaluated in process (what Claude Code
# waits for before every tool call): N runs of a PreToolUse payload against a fresh data
# dir, after one warm-up run. Prints the mean and the median per run.
#
#   scripts/hook_latency.sh [RUNS]                      # default 40
#   WARDEN_BIN=path/to/warden scripts/hook_latency.sh   # measure another build instead
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-40}
. scripts/lib/warden-bin.sh
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN" init --data-dir "$WORK/data" > /dev/null
cat > "$WORK/pre.json" <<'JSON'
{"session_id":"sess_hook_latency","transcript_path":"/tmp/transcript.jsonl","cwd":"/home/dev/project","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"cargo test --workspace 2>&1 | tail -n 20","description":"Run the tests"}}
JSON
"$BIN" hook claude-code --data-dir "$WORK/data" < "$WORK/pre.json" > /dev/null
python3 - "$BIN" "$WORK" "$RUNS" <<'PY'
import statistics, subprocess, sys, time
bin_, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = []
for _ in range(runs):
    with open(f"{work}/pre.json", "rb") as f:
        t = time.perf_counter()
        subprocess.run([bin_, "hook", "claude-code", "--data-dir", f"{work}/data"],
                       stdin=f, stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - t) * 1000)
print(f"hook claude-code (PreToolUse, in process): runs={runs} "
      f"mean_ms={statistics.mean(times):.1f} median_ms={statistics.median(times):.1f}")
PY
