# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os

import pytest

from ansible_collections.wharf.registry.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.wharf.registry.plugins.module_utils._radosgw import (
    RADOSGW_CONNECTION_SPEC,
    RadosgwAdmin,
    RadosgwAdminError,
    mask_user,
    name_problem,
    size_in_bytes,
)

SECRET = "wharf-test-swift-secret-000000000000000001"


class FakeModule:
    def __init__(self, answers, **params):
        self.params = {name: spec.get("default") for name, spec in RADOSGW_CONNECTION_SPEC.items()}
        self.params.update(params)
        self.answers = list(answers)
        self.runs = []

    def get_bin_path(self, name, required=False):
        return "/usr/bin/" + name

    def run_command(self, argv, environ_update=None, expand_user_and_vars=True):
        self.runs.append((argv, environ_update))
        self.expanded = expand_user_and_vars
        return self.answers.pop(0)


def test_tracker_ignores_equal_values_and_masks_secrets():
    tracker = DifferenceTracker()
    assert tracker.add("display_name", "a", "a") is False
    assert not tracker
    tracker.add("display_name", "a", "b")
    tracker.add("swift_key", SECRET, SECRET + "x", secret=True)
    tracker.add("s3_key", None, SECRET, secret=True)
    assert tracker.names() == ["display_name", "swift_key", "s3_key"]
    assert tracker.diff() == {
        "before": {"display_name": "a", "swift_key": "********", "s3_key": None},
        "after": {"display_name": "b", "swift_key": "******** (changed)", "s3_key": "******** (changed)"},
    }


def test_base_argv_locale_and_call_log():
    module = FakeModule([(0, '{"user_id": "alice"}', "")], conf="/etc/ceph/ceph.conf", client_name="client.admin")
    client = RadosgwAdmin(module)
    assert client.user_info("alice") == {"user_id": "alice"}
    argv, env = module.runs[0]
    assert argv == [
        "/usr/bin/radosgw-admin",
        "--cluster",
        "ceph",
        "-c",
        "/etc/ceph/ceph.conf",
        "-n",
        "client.admin",
        "--format=json",
        "user",
        "info",
        "--uid=alice",
    ]
    assert env["LC_ALL"] == "C"
    assert client.calls == [argv]


def test_failure_masks_the_secret_everywhere_it_is_kept():
    module = FakeModule([(22, "", "could not create subuser: unable to parse request, invalid subuser access\n")])
    client = RadosgwAdmin(module)
    with pytest.raises(RadosgwAdminError) as caught:
        client.subuser_create("alice", "alice:swift", "full", SECRET)
    error = caught.value
    assert error.rc == 22
    assert "--secret-key=********" in error.cmd
    assert SECRET not in repr(error.fail_kwargs()) and SECRET not in repr(client.calls)
    assert (
        error.msg == "radosgw-admin subuser create failed with rc 22: could not create subuser: unable to parse "
        "request, invalid subuser access"
    )
    # The real argv still carries the secret: only what is shown is masked.
    assert module.runs[0][0][-1] == "--secret-key=" + SECRET


def test_failure_output_is_masked_too():
    module = FakeModule([(1, "partial " + SECRET, "bad secret " + SECRET + "\n")])
    with pytest.raises(RadosgwAdminError) as caught:
        RadosgwAdmin(module).swift_key_set("alice", "alice:swift", SECRET)
    assert SECRET not in repr(caught.value.fail_kwargs())
    assert caught.value.stderr == "bad secret ********\n"


def test_output_that_is_not_json_is_a_failure():
    client = RadosgwAdmin(FakeModule([(0, "not json", "")]))
    with pytest.raises(RadosgwAdminError) as caught:
        client.user_list()
    assert caught.value.msg == "radosgw-admin user list printed something that is not JSON."


def test_mask_user_copies():
    user = {"keys": [{"access_key": "A", "secret_key": SECRET}], "swift_keys": [{"user": "a:s", "secret_key": "x"}]}
    masked = mask_user(user)
    assert masked["keys"][0]["secret_key"] == "********"
    assert masked["swift_keys"][0]["secret_key"] == "********"
    assert user["keys"][0]["secret_key"] == SECRET
    assert mask_user(user, reveal=True) == user


def test_arguments_reach_radosgw_admin_unexpanded():
    # AnsibleModule.run_command would turn $HOME and ~ into the managed host's values without this flag.
    module = FakeModule([(0, "", "")])
    name = "\u00dcn\u00efcode 'q' \"u\" $HOME ~ % `x`"
    RadosgwAdmin(module).user_modify("alice", {"display_name": name})
    assert module.expanded is False
    assert module.runs[0][0][-1] == "--display-name=" + name


def recorded(name):
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "radosgw_admin", "pacific.json")
    with open(path) as handle:
        return json.load(handle)["steps"][name]["stdout"]


@pytest.mark.parametrize("rc", [0, 1])
def test_output_behind_a_banner_is_shown_with_every_secret_masked(rc):
    # A cmd_prefix wrapper (docker exec -t, a login banner) prints before the JSON, so it cannot be parsed; the
    # user it describes still holds an S3 and a swift secret, which radosgw-admin was never given here.
    output = recorded("user_info_alice_swift_given")
    user = json.loads(output)
    secrets = [k["secret_key"] for k in user["keys"] + user["swift_keys"]]
    assert len(secrets) == 2
    module = FakeModule([(rc, "Welcome to ceph-mon\r\n" + output, "banner " + secrets[0])])
    with pytest.raises(RadosgwAdminError) as caught:
        RadosgwAdmin(module).user_info("alice")
    shown = json.dumps(caught.value.fail_kwargs())
    assert [secret for secret in secrets if secret in shown] == []
    assert caught.value.stdout.count('"secret_key": "********"') == 2
    assert '"access_key": "%s"' % user["keys"][0]["access_key"] in caught.value.stdout


@pytest.mark.parametrize(
    "value, size",
    [
        (1073741824, 1073741824),
        ("1073741824", 1073741824),
        ("-1", -1),
        (-1, -1),
        (0, 0),
        ("0", 0),
        ("100G", 100 << 30),
        ("100Gi", 100 << 30),
        ("100GiB", 100 << 30),
        ("100 G", 100 << 30),
        ("1K", 1024),
        ("2T", 2 << 40),
        ("512M", 512 << 20),
        ("1E", 1 << 60),
        ("1000B", 1000),
        (" 5M ", 5 << 20),
    ],
)
def test_sizes_in_bytes(value, size):
    assert size_in_bytes(value) == size


@pytest.mark.parametrize(
    "value",
    [
        "100GB",
        "100g",
        "1.5G",
        "G",
        "",
        "-1G",
        "ten",
        "100 GiB B",
        True,
        1.5,
        "8E",
        2**63,
        "0x10",
        "1e9",
    ],
)
def test_sizes_that_cannot_be_right(value):
    assert size_in_bytes(value) is None


@pytest.mark.parametrize("name", ["", " alice", "alice ", "al:ice", "al\nice", "al\x00ice", "al\x7fice"])
def test_names_that_cannot_be_right(name):
    assert name_problem(name)


@pytest.mark.parametrize("name", ["alice", "tenant$alice", "\u00fcser", "a.b-c_d"])
def test_names_that_can(name):
    assert name_problem(name) is None
