#!/usr/bin/env bash
# Run each named make target as one phase, go on after a failure, and end with a table of results and wall
# times and the "N passed, N failed" line that CI reads. Exits non-zero when any phase failed.
#
#   phases.sh A B -- C D E    A and B one after the other, then C, D and E PHASES_JOBS at a time (default 2)
#
# Parallel phases write to .build/phases/<phase>.log, printed whole when the phase ends, so logs never interleave.
# Phases that must not overlap (two runs of one molecule scenario) serialize themselves (make molecule locks).
set -uo pipefail
parallel=${PHASES_JOBS:-2}
logs=.build/phases
mkdir -p "$logs"
rm -f "$logs"/*.result
order=()

run_phase() {
  local phase=$1 started=$SECONDS result=passed
  make --no-print-directory "$phase" || result=FAILED
  printf '%s %d\n' "$result" $((SECONDS - started)) > "$logs/$phase.result"
}

sequential=true
for phase in "$@"; do
  if [ "$phase" = -- ]; then
    sequential=false
    continue
  fi
  order+=("$phase")
  if $sequential; then
    printf '\n=== %s\n' "$phase"
    run_phase "$phase"
    continue
  fi
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do
    wait -n
  done
  printf '\n=== %s started (log: %s/%s.log)\n' "$phase" "$logs" "$phase"
  (
    run_phase "$phase" > "$logs/$phase.log" 2>&1
    printf '\n=== %s %s\n' "$phase" "$(cut -d' ' -f1 "$logs/$phase.result")"
    cat "$logs/$phase.log"
  ) &
done
wait

passed=0
failed=0
printf '\n%-32s %-7s %7s\n' phase result time
for phase in "${order[@]}"; do
  read -r result seconds 2>/dev/null < "$logs/$phase.result" || { result=FAILED; seconds=0; }
  if [ "$result" = passed ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  printf '%-32s %-7s %5d s\n' "$phase" "$result" "$seconds"
done
# CI may keep only the end of the output: where each failed phase went wrong comes after the table, just above the
# count, and names the task.
for phase in "${order[@]}"; do
  if [ -f "$logs/$phase.log" ] && ! grep -q '^passed' "$logs/$phase.result" 2>/dev/null; then
    printf '\n--- %s failed:\n' "$phase"
    # The last Ansible error (an ignored one comes before it) with the task it belongs to, else the end of the log.
    sed -E 's/\x1b\[[0-9;]*m//g; s/^ *│ ?//' "$logs/$phase.log" \
      | awk '/^TASK \[/ { task = $0 } /\[ERROR\]: |FAILED! =>/ { start = NR; failed_task = task } { line[NR] = $0 }
             END { if (start) print failed_task; first = start ? start : NR - 29
                   for (i = first; i <= NR && i < first + 30; i++) print substr(line[i], 1, 400) }'
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
