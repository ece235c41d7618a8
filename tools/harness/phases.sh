#!/usr/bin/env bash
# Run each named make target as one phase, go on after a failure, and end with a table of results and wall
# times and the "N passed, N failed" line that CI reads. Exits non-zero when any phase failed.
set -uo pipefail
passed=0
failed=0
rows=()
for phase in "$@"; do
  printf '\n=== %s\n' "$phase"
  started=$SECONDS
  if make --no-print-directory "$phase"; then
    result=passed
    passed=$((passed + 1))
  else
    result=FAILED
    failed=$((failed + 1))
  fi
  rows+=("$(printf '%-32s %-7s %5d s' "$phase" "$result" $((SECONDS - started)))")
done
printf '\n%-32s %-7s %7s\n' phase result time
printf '%s\n' "${rows[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
