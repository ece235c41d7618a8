# Copyright: wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""docker_daemon_config against real files in a temporary directory: every state-changing case runs check, apply,
check again and apply again, then looks at the file itself. How the flag check reads units and environment files is
tested with module_utils/_dockerd.py; here, what the module makes of its answer."""

import json
import os
import stat

import pytest
from ansible.module_utils.common.parameters import PASS_VARS
from ansible.module_utils.testing import patch_module_args

from ansible_collections.wharf.registry.plugins.modules import docker_daemon_config as module

pytestmark = pytest.mark.usefixtures("confined_flag_reads")

# ansible-core 2.21 returns the invocation only when the controller asks for it (INJECT_INVOCATION); earlier releases
# always return it and refuse the option as unsupported.
INJECT_INVOCATION = {"_ansible_inject_invocation": True} if "inject_invocation" in PASS_VARS else {}


def run(args, check=False, diff=False):
    """The module's result dict, as Ansible would receive it."""
    args = dict(args)
    args["_ansible_check_mode"] = check
    args["_ansible_diff"] = diff
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    return LAST_RESULT.pop()


LAST_RESULT = []


@pytest.fixture(autouse=True)
def capture(monkeypatch):
    def exit_json(self, **kwargs):
        kwargs.setdefault("changed", False)
        LAST_RESULT.append(kwargs)
        raise SystemExit(0)

    def fail_json(self, msg, **kwargs):
        kwargs["failed"] = True
        kwargs["msg"] = msg
        LAST_RESULT.append(kwargs)
        raise SystemExit(1)

    monkeypatch.setattr(module.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(module.AnsibleModule, "fail_json", fail_json)


@pytest.fixture
def host(tmp_path):
    """A fake root: daemon.json path, unit directories and the defaults file, all empty at first."""

    class Host:
        root = tmp_path
        path = str(tmp_path / "etc" / "docker" / "daemon.json")
        etc_units = tmp_path / "etc" / "systemd" / "system"
        lib_units = tmp_path / "lib" / "systemd" / "system"
        defaults = tmp_path / "etc" / "default" / "docker"

        def args(self, **kwargs):
            base = dict(
                path=self.path, unit_dirs=[str(self.etc_units), str(self.lib_units)], defaults_file=str(self.defaults)
            )
            base.update(kwargs)
            return base

        def write(self, data):
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(self.path, "w") as handle:
                handle.write(data if isinstance(data, str) else json.dumps(data))

        def read_text(self):
            with open(self.path) as handle:
                return handle.read()

        def read(self):
            return json.loads(self.read_text())

        def unit(self, directory, name, text):
            directory.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(text)

        def debian_unit(self):
            """Debian's docker.io unit, reading its DOCKER_OPTS from the defaults file under the fake root."""
            self.unit(
                self.lib_units,
                "docker.service",
                "[Service]\nEnvironmentFile=-%s/%%p\nExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS\n"
                % self.defaults.parent,
            )

    return Host()


def converge(args):
    """check, apply, check, apply: the first two must agree, the last two must change nothing."""
    predicted = run(args, check=True, diff=True)
    applied = run(args, diff=True)
    for key in ("changed", "action", "changed_keys", "restart_keys", "config", "diff"):
        assert predicted.get(key) == applied.get(key), key
    again_check = run(args, check=True, diff=True)
    again = run(args)
    for result in (again_check, again):
        assert result["changed"] is False
        assert result["action"] == "none"
        assert result["changed_keys"] == []
        assert "diff" not in result
    return applied


def test_creates_file_and_parent_directory_with_mode_0644(host):
    predicted = run(host.args(config={"exec-opts": ["native.cgroupdriver=systemd"]}), check=True)
    assert predicted["changed"] is True
    assert not os.path.exists(os.path.dirname(host.path)), "check mode must not create anything"

    result = converge(host.args(config={"exec-opts": ["native.cgroupdriver=systemd"]}))
    assert result["action"] == "restart"
    assert result["restart_keys"] == ["exec-opts"]
    assert result["diff"]["before"] == ""
    assert result["diff"]["after"] == host.read_text()
    assert host.read() == {"exec-opts": ["native.cgroupdriver=systemd"]}
    assert stat.S_IMODE(os.stat(host.path).st_mode) == 0o644


def test_foreign_keys_keep_their_values_and_order(host):
    foreign = {
        "log-driver": "json-file",
        "log-opts": {"max-size": "10m", "max-file": "3"},
        "default-address-pools": [{"base": "10.201.0.0/16", "size": 24}],
        "debug": False,
    }
    host.write(foreign)
    result = converge(host.args(config={"insecure-registries": ["registry.example:5000"]}))
    written = host.read()
    assert list(written) == list(foreign) + ["insecure-registries"]
    for key, value in foreign.items():
        assert written[key] == value
    assert result["changed_keys"] == ["insecure-registries"]


def test_nested_objects_merge_key_by_key(host):
    host.write({"log-opts": {"max-file": "3"}})
    converge(host.args(config={"log-opts": {"max-size": "10m"}}))
    assert host.read() == {"log-opts": {"max-file": "3", "max-size": "10m"}}


def test_list_mode_replace_writes_the_given_list(host):
    host.write({"insecure-registries": ["old:5000", "keep:5000"]})
    converge(host.args(config={"insecure-registries": ["new:5000"]}))
    assert host.read()["insecure-registries"] == ["new:5000"]


def test_list_mode_merge_is_a_set_union_in_order(host):
    host.write(
        {"insecure-registries": ["a:5000", "b:5000"], "default-address-pools": [{"base": "10.201.0.0/16", "size": 24}]}
    )
    result = converge(
        host.args(
            list_mode="merge",
            config={
                "insecure-registries": ["b:5000", "c:5000", "c:5000"],
                "default-address-pools": [{"size": 24, "base": "10.201.0.0/16"}, {"base": "10.202.0.0/16", "size": 24}],
            },
        )
    )
    written = host.read()
    assert written["insecure-registries"] == ["a:5000", "b:5000", "c:5000"]
    assert written["default-address-pools"] == [
        {"base": "10.201.0.0/16", "size": 24},
        {"base": "10.202.0.0/16", "size": 24},
    ]
    assert result["action"] == "restart"
    assert result["restart_keys"] == ["default-address-pools"]


def test_list_mode_merge_with_nothing_new_changes_nothing(host):
    host.write({"insecure-registries": ["a:5000", "b:5000"]})
    result = run(host.args(list_mode="merge", config={"insecure-registries": ["b:5000"]}))
    assert result["changed"] is False
    assert result["action"] == "none"


def test_remove_keys_deletes_and_ignores_absent_keys(host):
    host.write({"debug": True, "labels": ["a=b"], "log-level": "warn"})
    result = converge(host.args(remove_keys=["debug", "labels", "not-there"]))
    assert host.read() == {"log-level": "warn"}
    assert result["changed_keys"] == ["debug", "labels"]
    assert result["action"] == "reload"


def test_remove_keys_with_config_replaces_an_object_wholesale(host):
    host.write({"log-opts": {"max-file": "3", "max-size": "10m"}})
    converge(host.args(remove_keys=["log-opts"], config={"log-opts": {"max-size": "20m"}}))
    assert host.read() == {"log-opts": {"max-size": "20m"}}


def test_same_meaning_in_other_formatting_is_left_alone(host):
    original = '{"debug":true,\n\n   "insecure-registries" : [ "a:5000" ]}'
    host.write(original)
    before = os.stat(host.path)
    result = run(host.args(config={"insecure-registries": ["a:5000"], "debug": True}), diff=True)
    assert result["changed"] is False
    assert "diff" not in result
    assert host.read_text() == original
    assert os.stat(host.path).st_mtime_ns == before.st_mtime_ns


def test_true_and_1_are_different_values(host):
    host.write({"debug": 1})
    result = converge(host.args(config={"debug": True}))
    assert result["changed_keys"] == ["debug"]
    assert host.read() == {"debug": True}


@pytest.mark.parametrize(
    "content, words",
    [
        ('{"debug": true,', "not valid JSON"),
        ('["a:5000"]', "JSON list, not an object"),
        ('{"debug": tru}', "not valid JSON"),
    ],
)
def test_a_broken_file_fails_and_stays_untouched(host, content, words):
    host.write(content)
    for check in (True, False):
        result = run(host.args(config={"debug": True}, backup=True), check=check)
        assert result["failed"] is True
        assert words in result["msg"]
        assert host.path in result["msg"]
        assert host.read_text() == content
    assert os.listdir(os.path.dirname(host.path)) == ["daemon.json"]


def test_an_empty_file_counts_as_an_empty_object(host):
    host.write("  \n")
    result = converge(host.args(config={"debug": True}))
    assert result["action"] == "reload"
    assert host.read() == {"debug": True}


def test_null_values_are_refused(host):
    host.write({"debug": True})
    result = run(host.args(config={"log-opts": {"max-size": None}}))
    assert result["failed"] is True
    assert result["msg"] == "config.log-opts.max-size is null; name the key in remove_keys to delete it."
    assert host.read() == {"debug": True}


def test_a_directory_at_path_fails(host):
    os.makedirs(host.path)
    result = run(host.args(config={"debug": True}))
    assert result["failed"] is True
    assert "is a directory" in result["msg"]


def test_backup_keeps_the_previous_text_and_is_skipped_in_check_mode(host):
    original = '{"debug": false}'
    host.write(original)
    predicted = run(host.args(config={"debug": True}, backup=True), check=True)
    assert "backup_file" not in predicted
    assert os.listdir(os.path.dirname(host.path)) == ["daemon.json"]

    applied = run(host.args(config={"debug": True}, backup=True))
    with open(applied["backup_file"]) as handle:
        assert handle.read() == original
    assert os.path.dirname(applied["backup_file"]) == os.path.dirname(host.path)

    again = run(host.args(config={"debug": True}, backup=True))
    assert "backup_file" not in again
    assert len(os.listdir(os.path.dirname(host.path))) == 2


def test_no_backup_of_a_file_that_did_not_exist(host):
    result = run(host.args(config={"debug": True}, backup=True))
    assert result["changed"] is True
    assert "backup_file" not in result


def test_an_existing_file_keeps_its_mode(host):
    host.write({"debug": False})
    os.chmod(host.path, 0o600)
    converge(host.args(config={"debug": True}))
    assert stat.S_IMODE(os.stat(host.path).st_mode) == 0o600


def test_diff_shows_the_old_text_and_exactly_the_new_file(host):
    original = '{"debug": false}\n'
    host.write(original)
    result = run(host.args(config={"insecure-registries": ["a:5000"]}), diff=True)
    assert result["diff"]["before"] == original
    assert result["diff"]["after"] == host.read_text()
    assert result["diff"]["before_header"] == host.path


def test_diff_and_result_mask_passwords_in_urls(host):
    host.write({"proxies": {"http-proxy": "http://old:s3cret@proxy.example:3128"}})
    result = run(host.args(config={"proxies": {"http-proxy": "http://bob:hunter2@proxy.example:3128"}}), diff=True)
    assert "s3cret" not in result["diff"]["before"] and "hunter2" not in result["diff"]["after"]
    assert "http://bob:********@proxy.example:3128" in result["diff"]["after"]
    assert result["config"]["proxies"]["http-proxy"] == "http://bob:********@proxy.example:3128"
    assert host.read()["proxies"]["http-proxy"] == "http://bob:hunter2@proxy.example:3128"


def test_a_password_with_an_at_sign_is_masked_whole_in_every_proxies_key(host):
    """The userinfo runs to the last @; JSON escapes in the file (\\u0040, \\") are read as dockerd reads them."""
    host.write('{"proxies": {"https-proxy": "http://old:s3\\u0040cr\\"t@proxy"}}\n')
    proxies = {
        "http-proxy": "http://bob:p@ss@proxy",
        "https-proxy": "http://u:p%40ss@proxy:3128",
        "no-proxy": "http://n:x@y@z,localhost",
    }
    result = converge(host.args(config={"proxies": proxies}))
    text = json.dumps(result)
    for secret in ("p@ss", "p%40ss", "x@y", "s3", "cr"):
        assert secret not in text, secret
    assert result["config"]["proxies"] == {
        "http-proxy": "http://bob:********@proxy",
        "https-proxy": "http://u:********@proxy:3128",
        "no-proxy": "http://n:********@z,localhost",
    }
    assert '"https-proxy": "http://old:********@proxy"' in result["diff"]["before"]
    assert host.read()["proxies"] == proxies


def test_the_invocation_shown_at_vvv_and_failures_hold_no_url_password(host, monkeypatch):
    """The module's arguments come back with its result (the invocation Ansible prints at -vvv; from ansible-core
    2.21 only with INJECT_INVOCATION): the URL passwords are scrubbed there."""
    recorded = []

    def exit_json(self, **kwargs):
        self._return_formatted(kwargs)
        raise SystemExit(0)

    def fail_json(self, msg, **kwargs):
        kwargs.update(failed=True, msg=msg)
        self._return_formatted(kwargs)
        raise SystemExit(1)

    monkeypatch.setattr(module.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(module.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(module.AnsibleModule, "_record_module_result", lambda self, result: recorded.append(result))
    host.write({"registry-mirrors": ["https://m:mirr0r@mirror.example"]})
    good = {"proxies": {"http-proxy": "http://bob:p@ss@proxy"}}
    for config in (good, dict(good, debug=None)):
        args = dict(host.args(config=config), _ansible_diff=True, **INJECT_INVOCATION)
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
    applied, failed = recorded
    assert applied["invocation"]["module_args"]["config"]["proxies"]["http-proxy"] == "http://bob:********@proxy"
    assert (
        failed["failed"] is True and failed["msg"] == "config.debug is null; name the key in remove_keys to delete it."
    )
    for result in recorded:
        assert "p@ss" not in json.dumps(result) and "mirr0r" not in json.dumps(result)


def test_no_diff_unless_asked(host):
    result = run(host.args(config={"debug": True}))
    assert result["changed"] is True
    assert "diff" not in result


@pytest.mark.parametrize(
    "start, args, action, restart_keys",
    [
        ({}, dict(config={"insecure-registries": ["a:5000"]}), "reload", []),
        ({}, dict(config={"registry-mirrors": ["https://mirror.example"]}), "reload", []),
        (
            {"insecure-registries": ["a:5000"]},
            dict(config={"insecure-registries": ["b:5000"]}, list_mode="merge"),
            "reload",
            [],
        ),
        (
            {},
            dict(
                config={
                    "debug": True,
                    "labels": ["x=y"],
                    "live-restore": True,
                    "max-concurrent-downloads": 6,
                    "shutdown-timeout": 30,
                }
            ),
            "reload",
            [],
        ),
        ({}, dict(config={"insecure-registries": ["a:5000"], "log-level": "warn"}), "restart", ["log-level"]),
        ({}, dict(config={"data-root": "/srv/docker"}), "restart", ["data-root"]),
        ({"storage-driver": "overlay2"}, dict(remove_keys=["storage-driver"]), "restart", ["storage-driver"]),
        ({"registry-mirrors": ["https://m.example"]}, dict(remove_keys=["registry-mirrors"]), "reload", []),
        ({"log-opts": {"max-size": "10m"}}, dict(config={"log-opts": {"max-file": "2"}}), "restart", ["log-opts"]),
    ],
)
def test_reload_or_restart(host, start, args, action, restart_keys):
    if start:
        host.write(start)
    result = converge(host.args(**args))
    assert result["action"] == action
    assert result["restart_keys"] == restart_keys


def test_debian_unit_with_default_file_flag_conflict(host):
    host.debian_unit()
    host.defaults.parent.mkdir(parents=True)
    host.defaults.write_text('# Options for dockerd\nDOCKER_OPTS="--insecure-registry registry.old:5000 --debug"\n')
    host.write({"log-level": "info"})
    for check in (True, False):
        result = run(host.args(config={"insecure-registries": ["registry.new:5000"]}), check=check)
        assert result["failed"] is True
        assert result["msg"] == (
            "insecure-registries is also passed to dockerd as the flag --insecure-registry in %s, and dockerd "
            "refuses to start when a setting is given both ways: remove the flag or leave insecure-registries out "
            "of config." % host.defaults
        )
    assert host.read() == {"log-level": "info"}
    assert run(host.args(config={"registry-mirrors": ["https://m.example"]}))["changed"] is True


def test_check_dockerd_flags_false_skips_the_check(host):
    host.debian_unit()
    result = run(host.args(config={"hosts": ["unix:///run/docker.sock"]}, check_dockerd_flags=False))
    assert result["changed"] is True


def test_a_missing_required_environment_file_is_an_error(host):
    host.unit(
        host.lib_units,
        "docker.service",
        "[Service]\nEnvironmentFile=%s\nExecStart=/usr/sbin/dockerd\n" % (host.root / "nope.env"),
    )
    result = run(host.args(config={"debug": True}))
    assert result["failed"] is True
    assert "nope.env" in result["msg"]
    assert not os.path.exists(host.path)


def test_no_unit_and_no_defaults_file_means_no_flags(host):
    assert run(host.args(config={"hosts": ["fd://"]}))["changed"] is True
