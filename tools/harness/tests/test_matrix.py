# Copyright: wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The version matrix says what it tests: every tests/matrix pins file is exact and names its Python, the releases
tested (.venv's and the matrix's) run without a gap from requires_ansible's minimum, and the installing guide's
table has each one's exact version."""

import pathlib
import re

import yaml
from ansible.release import __version__ as venv_core

TOP = pathlib.Path(__file__).resolve().parents[3]
PINS = sorted((TOP / "tests/matrix").glob("ansible-core-*.txt"))


def minor(version):
    return tuple(int(part) for part in version.split(".")[:2])


def pinned_core(path):
    """(the ansible-core version a pins file pins, the Python it names)."""
    text = path.read_text()
    core = re.search(r"^ansible-core==(\S+)$", text, re.M)
    python = re.search(r"^# python: *(\d+\.\d+) *$", text, re.M)
    assert core and python, f"{path.name} pins no ansible-core==X.Y.Z or names no '# python: X.Y'"
    return core.group(1), python.group(1)


def test_every_pins_file_is_exact_and_named_for_its_release():
    assert PINS, "no tests/matrix/ansible-core-*.txt"
    for path in PINS:
        requirements = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
        loose = [line for line in requirements if not re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+-]+", line)]
        assert not loose, f"{path.name}: not exact pins: {loose}"
        core, python = pinned_core(path)
        assert path.name == "ansible-core-%d.%d.txt" % minor(core)
        # ansible-core 2.20 and later run their controller on Python 3.12 or later.
        assert minor(python) >= (3, 12)


def test_requires_ansible_is_the_oldest_tested_release_and_nothing_is_skipped():
    tested = sorted({minor(venv_core)} | {minor(pinned_core(path)[0]) for path in PINS})
    runtime = yaml.safe_load((TOP / "meta/runtime.yml").read_text())
    assert runtime["requires_ansible"] == ">=%d.%d.0" % tested[0]
    assert [m[1] for m in tested] == list(range(tested[0][1], tested[-1][1] + 1)), f"a release is skipped: {tested}"


def test_the_installing_guide_lists_each_tested_version():
    guide = (TOP / "docs/docsite/rst/installing.rst").read_text()
    for version in [venv_core] + [pinned_core(path)[0] for path in PINS]:
        assert f"* - {version}" in guide, f"installing.rst's table has no row for ansible-core {version}"
