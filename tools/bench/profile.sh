#!/usr/bin/env bash
# Take a CPU profile of one registry replica from its debug listener (127.0.0.1:DEBUG_PORT on its host) while a
# client GETs one blob through it in a loop (blob.py, one GET at a time), and print the functions that hold the most
# CPU, cumulatively. Runs on the machine whose Docker engine holds the hosts; the profile stays in OUT_DIR, and is
# read with `go tool pprof` when Go is on PATH.
#   profile.sh SIZE_MB SECONDS CLIENT HOST PORT DEBUG_PORT OUT_DIR
set -euo pipefail
size_mb=$1 seconds=$2 client=$3 host=$4 port=$5 debug_port=$6 out=$7
profile=$out/registry-cpu.pb.gz
mkdir -p "$out"

# The loop uploads its blob first and says so on its first line; it GETs for longer than the profile lasts.
exec 3< <(docker exec -e WHARF_BENCH_LOOP="replica:$((seconds + 5))" "$client" \
  python3 -u /usr/local/lib/wharf-bench/blob.py "$size_mb" 1 - - "replica=$host:$port")
loop=$!
read -r _ <&3
# shellcheck disable=SC2016 # the host's Python reads its argument
docker exec "$host" python3 -c 'import sys, urllib.request
sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=int(sys.argv[2])).read())' \
  "http://127.0.0.1:$debug_port/debug/pprof/profile?seconds=$seconds" "$((seconds + 30))" > "$profile"
cat <&3
wait "$loop"

printf 'CPU profile of %s:%s for %s s while one client GETs a %s MB blob in a loop (%s)\n' \
  "$host" "$port" "$seconds" "$size_mb" "$profile"
if command -v go >/dev/null; then
  go tool pprof -top -cum -nodecount=25 "$profile" 2>/dev/null | sed -n '/^Showing\|flat%/,$p'
else
  echo 'go is not on PATH: read it with go tool pprof -top -cum'
fi
