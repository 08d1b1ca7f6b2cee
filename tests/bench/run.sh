#!/usr/bin/env bash
# Benchmarks ferry against native and QEMU on the shared guests (../shared/bench): builds
# the guests into bench-out/, runs the 32-bit targets on cm, mem, ind and smc, and records
# ferry's peak resident memory per run. A tool, not a test. Needs build/ferry (scripts/build.sh).
#   ROUNDS=3 tests/bench/run.sh      # rounds (default 1); medians and ratios need 3
#   WLS=cm,mem tests/bench/run.sh    # other workloads (fp too), TARGETS=... other targets
# Results: bench-out/results/bench_summary.md (timings) and bench-out/results/peak_rss.txt.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
shared=$repo/../shared/bench
build=${FERRY_BUILD:-build}
cd "$repo"

[[ -x $build/ferry ]] || { echo "bench: $build/ferry missing: run scripts/build.sh first" >&2; exit 1; }
[[ -d $shared ]] || { echo "bench: $shared missing" >&2; exit 1; }

export BENCH_OUT=$repo/bench-out
sh "$shared/guest/build.sh"

# Peak RSS: every ferry run goes through a wrapper that appends "<KiB> <command>" to
# rss_log, using GNU time when installed and Python's resource module otherwise.
mkdir -p "$BENCH_OUT/results"
rss_log=$BENCH_OUT/results/peak_rss.log
: > "$rss_log"
rss_wrapper=$BENCH_OUT/ferry-rss
if [[ -x /usr/bin/time ]]; then
  cat > "$rss_wrapper" <<WRAP
#!/bin/sh
exec /usr/bin/time -a -o "$rss_log" -f "%M \$*" "$repo/$build/ferry" "\$@"
WRAP
else
  cat > "$rss_wrapper" <<WRAP
#!/usr/bin/env python3
import resource, subprocess, sys
rc = subprocess.call(["$repo/$build/ferry"] + sys.argv[1:])
kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open("$rss_log", "a").write(f"{kib} {' '.join(sys.argv[1:])}\n")
sys.exit(rc)
WRAP
fi
chmod +x "$rss_wrapper"

EMU="$rss_wrapper -accel interp" \
TARGETS=${TARGETS:-native32,qemu32,emu32} \
WLS=${WLS:-cm,mem,ind,smc} \
ROUNDS=${ROUNDS:-1} \
  python3 "$shared/run_bench.py"

# One line per workload: the largest peak RSS over its runs (wl= from the -append string).
python3 - "$rss_log" > "$BENCH_OUT/results/peak_rss.txt" <<'PY'
import re, sys
peak = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\d+) .*wl=(\w+)", line)
    if m:
        peak[m.group(2)] = max(peak.get(m.group(2), 0), int(m.group(1)))
for wl, kib in peak.items():
    print(f"ferry peak RSS wl={wl}: {kib / 1024:.1f} MiB")
PY
cat "$BENCH_OUT/results/peak_rss.txt"
