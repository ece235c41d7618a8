#!/usr/bin/env bash
# The ansible-core version matrix beyond .venv's own release: for each tests/matrix/ansible-core-<X.Y>.txt (or only
# the versions named), ansible-test sanity on the collection installed from a freshly built tarball (what artifact.sh
# runs with .venv's ansible-core) and ansible-test units on this work tree, each in that file's own venv.
#   tools/harness/matrix.sh [2.20 2.21 ...]
# A venv is made once and kept in ${XDG_CACHE_HOME:-~/.cache}/wharf/venvs/ansible-core-<X.Y>-<hash>, the hash taken
# over the pins file and the interpreter (its path and full version), so a clean clone on this machine reuses it and
# a changed pin makes a new one (removing that version's venvs from other pins, unless made within the hour).
# ansible-test keeps the sanity tests' own venvs in ~/.ansible/test/venv the same way. The Python comes from the
# file's "# python: X.Y" line: python<X.Y> on PATH, else pyenv's, else Debian's. Versions run MATRIX_JOBS at a time (default 2: mostly one core each), each
# into .build/matrix/<X.Y>.log; one line per version says what passed and how long each part took.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/wharf/venvs
work=$top/.build/matrix
jobs=${MATRIX_JOBS:-2}

# The interpreter for Python X.Y: one that runs and says it is X.Y (a pyenv shim of a version not selected fails).
find_python() {
  local version=$1 candidate
  for candidate in "python$version" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".*/bin/"python$version" \
    "/usr/bin/python$version" "/usr/local/bin/python$version"; do
    if [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" = "$version" ]; then
      "$candidate" -c 'import os, sys; print(os.path.realpath(sys.executable))'
      return 0
    fi
  done
  return 1
}

# The venv for one pins file, made if missing; prints its path.
venv_for() {
  local pins=$1 minor=$2 version python key venv
  version=$(sed -nE 's/^# python: *([0-9]+\.[0-9]+) *$/\1/p' "$pins")
  [ -n "$version" ] || { echo "$pins has no '# python: X.Y' line naming the Python to run ansible-core $minor on" >&2; return 1; }
  python=$(find_python "$version") || {
    echo "No Python $version for ansible-core $minor ($pins): install one (pyenv install $version, or Debian's" \
      "python$version with python3-venv) or put python$version on PATH" >&2
    return 1
  }
  key=$({ cat "$pins"; echo "$python"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-12)
  venv=$cache/ansible-core-$minor-$key
  mkdir -p "$cache"
  (
    flock 8
    if [ ! -f "$venv/.installed" ]; then
      echo "Making the venv for ansible-core $minor on Python $version in $venv" >&2
      rm -rf "$venv"
      "$python" -m venv "$venv"
      "$venv/bin/pip" install -q --disable-pip-version-check -r "$pins" >&2
      touch "$venv/.installed"
      # Venvs of this version from other pins, unless made within the hour (another checkout may be using its own).
      find "$cache" -maxdepth 1 -name "ansible-core-$minor-*" ! -name "ansible-core-$minor-$key*" -mmin +60 \
        -exec rm -rf {} + 2>/dev/null || true
    fi
  ) 8>"$venv.lock"
  echo "$venv"
}

# Sanity on the installed tarball and units on the work tree in one version's venv; one line with both times.
run_version() {
  local minor=$1 venv=$2 started core python_version result=0 sanity_s units_s
  core=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')
  python_version=$("$venv/bin/python" -c 'import platform; print(platform.python_version())')
  export PYTHON=$venv/bin/python WHARF_TEST_LOCAL=1 WHARF_TEST_NAME=$minor
  started=$SECONDS
  WHARF_TEST_FROM=$installed "$top/tools/harness/ansible-test.sh" sanity || result=$?
  sanity_s=$((SECONDS - started))
  if [ "$result" -ne 0 ]; then
    echo "ansible-core $core on Python $python_version: sanity FAILED after $sanity_s s (units not run)"
    return 1
  fi
  started=$SECONDS
  "$top/tools/harness/ansible-test.sh" units || result=$?
  units_s=$((SECONDS - started))
  if [ "$result" -ne 0 ]; then
    echo "ansible-core $core on Python $python_version: sanity passed in $sanity_s s, units FAILED after $units_s s"
    return 1
  fi
  echo "ansible-core $core on Python $python_version: sanity passed in $sanity_s s, units passed in $units_s s"
}

cd "$top"
if [ $# -gt 0 ]; then
  files=()
  for minor in "$@"; do
    [ -f "tests/matrix/ansible-core-$minor.txt" ] || { echo "No tests/matrix/ansible-core-$minor.txt" >&2; exit 1; }
    files+=("tests/matrix/ansible-core-$minor.txt")
  done
else
  files=(tests/matrix/ansible-core-*.txt)
fi

started=$SECONDS
declare -A venvs
for pins in "${files[@]}"; do
  minor=$(basename "$pins" .txt)
  minor=${minor#ansible-core-}
  venvs[$minor]=$(venv_for "$pins" "$minor")
done

# The tarball as artifact.sh builds it (its refusal of secrets and its listing checks are artifact.sh's), installed
# into an empty path: sanity sees the files users install.
# Only the installed copy, not this work tree (which make links into ANSIBLE_COLLECTIONS_PATH).
rm -rf "$work"
mkdir -p "$work/dist" "$work/collections"
export ANSIBLE_COLLECTIONS_PATH=$work/collections
"$top/.venv/bin/ansible-galaxy" collection build --output-path "$work/dist" . >/dev/null
"$top/.venv/bin/ansible-galaxy" collection install --offline --no-deps -p "$work/collections" \
  "$work"/dist/wharf-registry-*.tar.gz >/dev/null
installed=$work/collections/ansible_collections/wharf/registry
echo "venvs and tarball ready in $((SECONDS - started)) s"

minors=()
for minor in $(printf '%s\n' "${!venvs[@]}" | sort -V); do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || true
  done
  (
    rc=0
    run_version "$minor" "${venvs[$minor]}" >"$work/$minor.log" 2>&1 || rc=$?
    echo "$rc" >"$work/$minor.rc"
  ) &
  minors+=("$minor")
done
wait
failed=0
for minor in "${minors[@]}"; do
  if [ "$(cat "$work/$minor.rc" 2>/dev/null)" != 0 ]; then
    failed=$((failed + 1))
    # The errors ansible-test and pytest name, else the end of the log.
    printf '\n--- ansible-core %s failed (log: %s):\n' "$minor" "$work/$minor.log"
    grep -E '^(ERROR|FATAL):|^FAILED |^E  ' "$work/$minor.log" | head -n 30 || tail -n 30 "$work/$minor.log"
  fi
done
for minor in "${minors[@]}"; do
  tail -n 1 "$work/$minor.log"
done
echo "matrix: ${#minors[@]} ansible-core versions in $((SECONDS - started)) s"
[ "$failed" -eq 0 ]
