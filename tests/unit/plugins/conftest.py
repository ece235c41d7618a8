# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Replays radosgw-admin output recorded from real Pacific and Reef clusters (fixtures/radosgw_admin/*.json).

A test names the calls it expects, in order, by recording step: the module must issue exactly that step's argv
(base argv + tail as record.py ran it) and gets that step's real rc, stdout and stderr back. `(argv, output)` pairs
serve one step's output for another argv, for states the recording reached by a different path.
"""

import json
import os

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "radosgw_admin")
RELEASES = ("pacific", "reef")
RECORDED_BASE = ["radosgw-admin", "--cluster", "ceph", "--format=json"]


def load(release):
    with open(os.path.join(FIXTURES, release + ".json")) as handle:
        return json.load(handle)["steps"]


class ModuleExit(Exception):
    """How a module run ends under test: the result it would send Ansible, and whether it failed."""

    def __init__(self, result, failed):
        super().__init__(result.get("msg"))
        self.result = result
        self.failed = failed


def _capture_exits(monkeypatch):
    def exit_json(module, **result):
        raise ModuleExit(result, failed=False)

    def fail_json(module, **result):
        raise ModuleExit(result, failed=True)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)


def _run_main(main, params, check_mode=False, diff=False):
    args = dict(params)
    args["_ansible_check_mode"] = check_mode
    args["_ansible_diff"] = diff
    with patch_module_args(args):
        with pytest.raises(ModuleExit) as caught:
            main()
    return caught.value


@pytest.fixture
def run_module(monkeypatch):
    """run_module(main, params, check_mode=False, diff=False) runs a module's main() and returns its ModuleExit."""
    _capture_exits(monkeypatch)
    return _run_main


class Replay:
    def __init__(self, release, monkeypatch):
        self.release = release
        self.steps = load(release)
        self.expected = []
        self.calls = []
        self.warnings = []
        self.base = list(RECORDED_BASE)
        monkeypatch.setattr(
            basic.AnsibleModule, "run_command", lambda module, argv, **kw: self._run_command(argv, **kw)
        )
        monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda self, name, **kw: name)
        _capture_exits(monkeypatch)
        monkeypatch.setattr(basic.AnsibleModule, "warn", lambda module, warning: self.warnings.append(warning))

    def step(self, name):
        return self.steps[name]

    def json(self, name):
        return json.loads(self.steps[name]["stdout"])

    def tail(self, name):
        argv = self.steps[name]["argv"]
        assert argv[: len(RECORDED_BASE)] == RECORDED_BASE
        return argv[len(RECORDED_BASE) :]

    def expect(self, *entries):
        """Each entry: a step name, or (argv tail or step name, step name whose output to serve)."""
        for entry in entries:
            argv_from, output_from = entry if isinstance(entry, tuple) else (entry, entry)
            tail = self.tail(argv_from) if isinstance(argv_from, str) else list(argv_from)
            self.expected.append((tail, self.steps[output_from]))

    def _run_command(self, argv, **kwargs):
        assert kwargs.get("environ_update", {}).get("LC_ALL") == "C"
        # Without it run_command expands $VAR and ~ in the arguments: display names and secrets would change.
        assert kwargs.get("expand_user_and_vars") is False
        self.calls.append(list(argv))
        assert self.expected, "unexpected radosgw-admin call: %r" % (argv,)
        tail, step = self.expected.pop(0)
        assert argv == self.base + tail
        return step["rc"], step["stdout"], step["stderr"]

    def run(self, main, params, check_mode=False, diff=False):
        result = _run_main(main, params, check_mode, diff)
        assert not self.expected, "radosgw-admin calls expected but not made: %r" % ([e[0] for e in self.expected],)
        return result


@pytest.fixture(params=RELEASES)
def replay(request, monkeypatch):
    return Replay(request.param, monkeypatch)


@pytest.fixture
def confined_flag_reads(tmp_path, monkeypatch):
    """Fails a test whose dockerd flag check would look at a path outside its temporary directory (the host's
    /etc/default/docker or systemd units), so the machine running the tests cannot change their result."""
    from ansible_collections.wharf.registry.plugins.module_utils import _dockerd

    root = str(tmp_path) + os.sep

    def confined(path):
        assert str(path).startswith(root), "the flag check looked outside the test's directory: %s" % path
        return path

    reader_init = _dockerd.DockerdFlagReader.__init__
    reader_read = _dockerd.DockerdFlagReader._read

    def init(self, unit_name, unit_dirs, defaults_file):
        reader_init(self, unit_name, [confined(path) for path in unit_dirs], confined(defaults_file))

    monkeypatch.setattr(_dockerd.DockerdFlagReader, "__init__", init)
    monkeypatch.setattr(_dockerd.DockerdFlagReader, "_read", staticmethod(lambda path: reader_read(confined(path))))
