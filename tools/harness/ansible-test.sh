#!/usr/bin/env bash
# Run ansible-test offline: it needs the collection at a real .../ansible_collections/wharf/registry path (a symlink
# is refused), and it downloads get-pip.py from a host the CI machines cannot reach, so seed its cache with a
# stand-in that bootstraps pip from Python's own ensurepip and then installs from the package index as usual.
#   tools/harness/ansible-test.sh sanity|units [ansible-test options]   (runs with the venv's Python version)
# WHARF_TEST_FROM=<dir> tests that directory (artifact.sh: the collection installed from the built tarball) instead
# of this work tree. PYTHON=<venv>/bin/python runs another venv's ansible-test; WHARF_TEST_LOCAL=1 runs it in that
# venv itself (--local: matrix.sh's venvs already hold what units need) instead of a throwaway venv made each run
# (--venv), and WHARF_TEST_NAME=<name> gives that run a copy and a lock of its own, so runs of two versions do not
# wait for or delete each other.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-$top/.venv/bin/python}
build=$top/.build/ansible-test${WHARF_TEST_NAME:+-$WHARF_TEST_NAME}
dest=$build/ansible_collections/wharf/registry

mkdir -p "$build"
# One copy at a time: concurrent runs (several developers' shells, xdist) would delete each other's tree.
exec 9>"$build.lock"
flock 9
rm -rf "$dest"
mkdir -p "$dest"
if [ -n "${WHARF_TEST_FROM:-}" ]; then
  cp -a "$WHARF_TEST_FROM/." "$dest"
else
  # The files git tracks or would track, as they are in the work tree (not build output, not the venv).
  (cd "$top" && git ls-files -z --cached --others --exclude-standard \
    | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$dest"
fi
# ansible-test lists targets with git; inside this checkout .build is ignored, so the copy gets a repo of its own,
# which never lists ansible-test's own output (an installed collection has no .gitignore to say so).
(cd "$dest" && git init -q && echo /tests/output/ >>.git/info/exclude && git add -A)

pip_version=$("$python" -c "import types; from ansible_test._internal.python_requirements import get_venv_packages; print(get_venv_packages(types.SimpleNamespace(version='x'))['pip'])")
shim=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
mkdir -p "$(dirname "$shim")"
# Written aside and moved into place: another version's run may be reading the same stand-in.
cat > "$shim.$$" <<'PY'
# Stand-in for get-pip.py written by wharf.registry's tools/harness/ansible-test.sh.
import subprocess
import sys

options = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + options)
PY
mv -f "$shim.$$" "$shim"

python_version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cd "$dest"
if [ -n "${WHARF_TEST_LOCAL:-}" ]; then
  # --local looks for python<version> on PATH: the venv's own comes first.
  PATH=$(dirname "$python"):$PATH "$(dirname "$python")/ansible-test" "$@" --local --python "$python_version" --color no
else
  "$(dirname "$python")/ansible-test" "$@" --venv --python "$python_version" --color no
fi
