# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

import pytest

from ansible_collections.wharf.registry.plugins.modules.radosgw_user import main

ALICE = dict(uid="alice", display_name="Alice Example", email="alice@example.com", max_buckets=10)
ALICE_CHANGED = dict(uid="alice", display_name="Alice Changed", email="alice@example.org", max_buckets=20)
S3_ACCESS = "WHARFTESTACCESSKEY01"
S3_SECRET = "wharf-test-s3-secret-0000000000000000001"
S3_SECRET_2 = "wharf-test-s3-secret-0000000000000000002"
QUOTAS = dict(
    user_quota=dict(enabled=True, max_size=1048576, max_objects=100), bucket_quota=dict(enabled=True, max_objects=50)
)


def secrets_in(result, user):
    """Every secret of the recorded user that appears anywhere in the module result."""
    text = json.dumps(result)
    return [k["secret_key"] for k in user.get("keys", []) + user.get("swift_keys", []) if k["secret_key"] in text]


def test_create_then_noop(replay):
    replay.expect("user_info_missing", "user_create_alice")
    created = replay.run(main, ALICE, diff=True).result
    assert created["changed"] is True
    assert created["user"]["display_name"] == "Alice Example"
    assert created["user"]["max_buckets"] == 10
    # The S3 key radosgw-admin always generates on create is reported, its secret masked.
    assert len(created["user"]["keys"]) == 1
    assert created["user"]["keys"][0]["secret_key"] == "********"
    assert secrets_in(created, replay.json("user_create_alice")) == []
    assert created["diff"]["after"]["state"] == "present"


def test_create_check_mode_predicts_the_real_run(replay):
    replay.expect("user_info_missing", "user_create_alice")
    real = replay.run(main, ALICE, diff=True).result
    replay.expect("user_info_missing")
    checked = replay.run(main, ALICE, check_mode=True, diff=True).result
    assert checked["changed"] is True
    assert checked["diff"] == real["diff"]
    for field in (
        "user_id",
        "display_name",
        "email",
        "max_buckets",
        "suspended",
        "caps",
        "user_quota",
        "bucket_quota",
        "subusers",
        "swift_keys",
    ):
        assert checked["user"][field] == real["user"][field], field


def test_noop_is_one_call(replay):
    for check_mode in (True, False):
        replay.expect("user_info_alice")
        result = replay.run(main, ALICE, check_mode=check_mode, diff=True).result
        assert result["changed"] is False
        assert result["diff"] == {"before": {}, "after": {}}
    assert len(replay.calls) == 2


def test_user_create_again_is_never_issued(replay):
    # Trap: `user create` on an existing user fails with 17; the module reads first and modifies instead.
    assert replay.step("user_create_alice_again")["rc"] == 17
    replay.expect("user_info_alice", "user_modify_alice")
    result = replay.run(main, ALICE_CHANGED, diff=True).result
    assert result["changed"] is True
    assert result["diff"]["before"] == {
        "display_name": "Alice Example",
        "email": "alice@example.com",
        "max_buckets": 10,
    }
    assert result["diff"]["after"] == {"display_name": "Alice Changed", "email": "alice@example.org", "max_buckets": 20}
    assert result["user"]["display_name"] == "Alice Changed"
    assert not any(call[4:6] == ["user", "create"] for call in replay.calls)


def test_modify_check_mode(replay):
    replay.expect("user_info_alice")
    checked = replay.run(main, ALICE_CHANGED, check_mode=True, diff=True).result
    replay.expect("user_info_alice", "user_modify_alice")
    real = replay.run(main, ALICE_CHANGED, diff=True).result
    assert checked["changed"] is real["changed"] is True
    assert checked["diff"] == real["diff"]
    assert checked["user"]["display_name"] == real["user"]["display_name"]


def test_suspend_and_enable(replay):
    replay.expect(("user_info_alice", "user_modify_alice"), "user_suspend_alice")
    result = replay.run(main, dict(ALICE_CHANGED, suspended=True)).result
    assert result["changed"] is True
    assert result["user"]["suspended"] == 1
    replay.expect("user_info_alice_suspended")
    assert replay.run(main, dict(ALICE_CHANGED, suspended=True)).result["changed"] is False
    replay.expect("user_info_alice_suspended", "user_enable_alice")
    result = replay.run(main, dict(uid="alice", suspended=False), diff=True).result
    assert result["user"]["suspended"] == 0
    assert result["diff"] == {"before": {"suspended": True}, "after": {"suspended": False}}


def test_caps_are_an_exact_set(replay):
    replay.expect(("user_info_alice", "user_enable_alice"), "caps_add_alice")
    result = replay.run(
        main, dict(uid="alice", caps=[{"type": "users", "perm": "read"}, {"type": "buckets", "perm": "*"}])
    ).result
    assert result["changed"] is True
    assert sorted(c["type"] for c in result["user"]["caps"]) == ["buckets", "users"]
    replay.expect(("user_info_alice", "caps_add_alice"), "caps_rm_alice")
    result = replay.run(main, dict(uid="alice", caps=[{"type": "users", "perm": "read"}]), diff=True).result
    assert result["user"]["caps"] == [{"type": "users", "perm": "read"}]
    assert result["diff"] == {"before": {"caps": "buckets=*;users=read"}, "after": {"caps": "users=read"}}
    replay.expect(("user_info_alice", "caps_rm_alice"))
    assert replay.run(main, dict(uid="alice", caps=[{"type": "users", "perm": "read"}])).result["changed"] is False


def test_quotas_set_and_enable_then_one_read(replay):
    replay.expect(
        ("user_info_alice", "caps_rm_alice"),
        "quota_set_user_alice",
        "quota_enable_user_alice",
        "quota_set_bucket_alice",
        "quota_enable_bucket_alice",
        "user_info_alice_quota",
    )
    result = replay.run(main, dict(uid="alice", **QUOTAS), diff=True).result
    assert result["changed"] is True
    assert result["user"]["user_quota"]["max_size"] == 1048576
    assert result["user"]["bucket_quota"]["max_objects"] == 50
    assert result["diff"]["after"]["user_quota"] == {"enabled": True, "max_size": 1048576, "max_objects": 100}


def test_quotas_check_mode_predicts_the_real_run(replay):
    replay.expect(("user_info_alice", "caps_rm_alice"))
    checked = replay.run(main, dict(uid="alice", **QUOTAS), check_mode=True, diff=True).result
    real_state = replay.json("user_info_alice_quota")
    assert checked["changed"] is True
    for scope in ("user_quota", "bucket_quota"):
        assert checked["user"][scope] == real_state[scope]
    replay.expect("user_info_alice_quota")
    assert replay.run(main, dict(uid="alice", **QUOTAS)).result["changed"] is False


@pytest.mark.parametrize("size", ["1M", "1Mi", "1MiB", "1024K", "1048576", 1048576, "1048000"])
def test_quota_sizes_reach_rgw_in_bytes_rounded_as_rgw_stores_them(replay, size):
    # RGW rounds a size up to whole KiB (1048000 is stored as 1048576); the module compares the rounded value.
    quotas = dict(QUOTAS, user_quota=dict(QUOTAS["user_quota"], max_size=size))
    replay.expect(
        ("user_info_alice", "caps_rm_alice"),
        "quota_set_user_alice",
        "quota_enable_user_alice",
        "quota_set_bucket_alice",
        "quota_enable_bucket_alice",
        "user_info_alice_quota",
    )
    result = replay.run(main, dict(uid="alice", **quotas), diff=True).result
    assert result["diff"]["after"]["user_quota"]["max_size"] == 1048576
    replay.expect("user_info_alice_quota")
    assert replay.run(main, dict(uid="alice", **quotas)).result["changed"] is False


def test_read_write_caps_are_reported_as_star(replay):
    replay.expect(("user_info_alice", "caps_add_alice"))
    result = replay.run(
        main, dict(uid="alice", caps=[{"type": "users", "perm": "read"}, {"type": "buckets", "perm": "read, write"}])
    ).result
    assert result["changed"] is False


def test_exclusive_key_revokes_every_other_key_of_the_user(replay):
    # Alice holds her generated key and WHARFTESTACCESSKEY01; making the generated one exclusive removes the other.
    user = replay.json("s3_key_create_given")
    kept = [k for k in user["keys"] if k["access_key"] != S3_ACCESS][0]
    params = dict(uid="alice", access_key=kept["access_key"], secret_key=kept["secret_key"], exclusive_s3_key=True)
    replay.expect(("user_info_alice", "s3_key_create_given"))
    checked = replay.run(main, params, check_mode=True, diff=True).result
    replay.expect(("user_info_alice", "s3_key_create_given"), "s3_key_rm_given")
    real = replay.run(main, params, diff=True).result
    assert checked["changed"] is real["changed"] is True
    assert (
        checked["diff"]
        == real["diff"]
        == {"before": {"s3_keys": sorted([kept["access_key"], S3_ACCESS])}, "after": {"s3_keys": [kept["access_key"]]}}
    )
    assert [k["access_key"] for k in checked["user"]["keys"]] == [k["access_key"] for k in real["user"]["keys"]]
    assert [k["access_key"] for k in real["user"]["keys"]] == [kept["access_key"]]
    assert kept["secret_key"] not in json.dumps([checked, real])
    replay.expect(("user_info_alice", "s3_key_rm_given"))
    assert replay.run(main, params).result["changed"] is False


def test_rotating_with_exclusive_key_sets_the_new_key_first(replay):
    generated = replay.json("user_info_alice")["keys"][0]["access_key"]
    params = dict(uid="alice", access_key=S3_ACCESS, secret_key=S3_SECRET, exclusive_s3_key=True)
    replay.expect(
        "user_info_alice",
        "s3_key_create_given",
        (["key", "rm", "--uid=alice", "--key-type=s3", "--access-key=" + generated], "s3_key_rm_given"),
    )
    result = replay.run(main, params, diff=True).result
    assert result["diff"]["after"] == {"s3_key." + S3_ACCESS: "******** (changed)", "s3_keys": [S3_ACCESS]}
    assert result["diff"]["before"] == {"s3_key." + S3_ACCESS: None, "s3_keys": [generated]}


def test_quota_disable(replay):
    replay.expect("user_info_alice_quota", "quota_disable_bucket_alice", ("user_info_alice", "s3_key_create_given"))
    result = replay.run(main, dict(uid="alice", bucket_quota=dict(enabled=False))).result
    assert result["changed"] is True
    assert result["user"]["bucket_quota"]["enabled"] is False


def test_given_s3_key_set_and_kept(replay):
    params = dict(uid="alice", access_key=S3_ACCESS, secret_key=S3_SECRET)
    replay.expect("user_info_alice_quota", "s3_key_create_given")
    result = replay.run(main, params, diff=True).result
    assert result["changed"] is True
    assert S3_SECRET not in json.dumps(result)
    assert result["diff"]["after"] == {"s3_key." + S3_ACCESS: "******** (changed)"}
    replay.expect(("user_info_alice", "s3_key_create_given"))
    assert replay.run(main, params).result["changed"] is False


def test_given_s3_key_new_secret_is_set_and_masked(replay):
    replay.expect(("user_info_alice", "s3_key_create_given"), "s3_key_create_given_new_secret")
    result = replay.run(main, dict(uid="alice", access_key=S3_ACCESS, secret_key=S3_SECRET_2), diff=True).result
    assert result["changed"] is True
    assert result["diff"] == {
        "before": {"s3_key." + S3_ACCESS: "********"},
        "after": {"s3_key." + S3_ACCESS: "******** (changed)"},
    }
    text = json.dumps(result)
    assert S3_SECRET not in text and S3_SECRET_2 not in text


def test_return_secrets(replay):
    replay.expect(("user_info_alice", "s3_key_create_given"))
    result = replay.run(main, dict(uid="alice", return_secrets=True)).result
    assert S3_SECRET in [k["secret_key"] for k in result["user"]["keys"]]


def test_create_with_given_key_is_one_create(replay):
    replay.expect((["user", "info", "--uid=bob"], "user_info_missing"), "user_create_bob_given_key")
    result = replay.run(main, dict(uid="bob", display_name="Bob", access_key=S3_ACCESS, secret_key=S3_SECRET)).result
    assert result["changed"] is True
    assert [k["access_key"] for k in result["user"]["keys"]] == [S3_ACCESS]


def test_failure_surfaces_rc_stderr_and_masks_the_secret(replay):
    replay.expect(
        (["user", "info", "--uid=bob"], "user_info_missing"), ("user_create_bob_given_key", "user_create_alice_again")
    )
    failure = replay.run(main, dict(uid="bob", display_name="Bob", access_key=S3_ACCESS, secret_key=S3_SECRET))
    assert failure.failed
    assert failure.result["rc"] == 17
    assert "exists" in failure.result["stderr"]
    assert "rc 17" in failure.result["msg"]
    assert "--secret-key=********" in failure.result["cmd"]
    assert S3_SECRET not in json.dumps(failure.result)


def test_bad_conf_fails_with_rc_and_stderr(replay):
    replay.expect((["user", "info", "--uid=alice"], "bad_conf"))
    replay.base = ["radosgw-admin", "--cluster", "ceph", "-c", "/nonexistent/ceph.conf", "--format=json"]
    assert replay.step("bad_conf")["argv"] == replay.base + ["user", "info", "--uid=alice"]
    failure = replay.run(main, dict(uid="alice", conf="/nonexistent/ceph.conf"))
    assert failure.failed
    assert failure.result["rc"] == 1
    assert "unable to open config file" in failure.result["stderr"]


def test_rc_22_that_is_not_a_missing_user_is_a_failure(replay):
    # rc 22 also means a usage error; only the "no user info saved" text means the user is missing.
    replay.expect(("user_info_alice", "subuser_create_admin"))
    failure = replay.run(main, ALICE)
    assert failure.failed
    assert failure.result["rc"] == 22
    assert "invalid subuser access" in failure.result["stderr"]


def test_remove(replay):
    replay.expect((["user", "info", "--uid=bob"], "user_create_bob_given_key"), "user_rm_bob")
    result = replay.run(main, dict(uid="bob", state="absent"), diff=True).result
    assert result["changed"] is True
    assert "user" not in result
    assert result["diff"] == {"before": {"state": "present"}, "after": {"state": "absent"}}
    replay.expect((["user", "info", "--uid=bob"], "user_info_missing"))
    assert replay.run(main, dict(uid="bob", state="absent")).result["changed"] is False


def test_remove_check_mode_changes_nothing(replay):
    replay.expect("user_info_alice")
    result = replay.run(main, dict(uid="alice", state="absent", purge_data=True), check_mode=True).result
    assert result["changed"] is True
    assert len(replay.calls) == 1


def test_remove_with_purge(replay):
    replay.expect("user_info_alice", "user_rm_alice_purge")
    assert replay.run(main, dict(uid="alice", state="absent", purge_data=True)).result["changed"] is True


def test_remove_absent_user_twice_is_the_recorded_rc_2(replay):
    # Trap: removing an absent user is rc 2; the module never asks, it reads first.
    assert replay.step("user_rm_bob_absent")["rc"] == 2
    replay.expect(("user_info_alice", "user_info_missing"))
    assert replay.run(main, dict(uid="alice", state="absent")).result["changed"] is False


def test_cmd_prefix(replay):
    replay.base = ["docker", "exec", "ceph-mon", "env", "LC_ALL=C"] + replay.base
    replay.expect("user_info_alice")
    result = replay.run(main, dict(ALICE, cmd_prefix=["docker", "exec", "ceph-mon"])).result
    assert result["changed"] is False


def test_connection_options_in_the_base_argv(replay):
    replay.base = [
        "radosgw-admin",
        "--cluster",
        "lab",
        "-c",
        "/etc/ceph/lab.conf",
        "-n",
        "client.rgw.host1",
        "-k",
        "/var/lib/ceph/radosgw/lab-rgw.host1/keyring",
        "--format=json",
    ]
    replay.expect("user_info_alice")
    replay.run(
        main,
        dict(
            ALICE,
            cluster="lab",
            conf="/etc/ceph/lab.conf",
            client_name="client.rgw.host1",
            keyring="/var/lib/ceph/radosgw/lab-rgw.host1/keyring",
        ),
    )


def test_bad_input_changes_nothing(replay):
    for params, text in (
        (dict(uid="alice:swift"), "must not contain ':'"),
        (dict(uid="alice", user_quota=dict(max_size=-5)), "user_quota.max_size is -5"),
        (dict(uid="alice", bucket_quota=dict(max_objects=-2)), "bucket_quota.max_objects is -2"),
        (dict(uid="alice", caps=[{"type": "users", "perm": "read"}, {"type": "users", "perm": "*"}]), "more than once"),
        (dict(uid="alice", access_key=S3_ACCESS), "required together"),
        (dict(uid="alice", exclusive_s3_key=True), "exclusive_s3_key is True"),
        (dict(uid=" alice"), "must not start or end with white space"),
        (dict(uid="al\nice"), "control characters"),
        (
            dict(uid="alice", access_key=S3_ACCESS, secret_key="s3 \u00dcn\u00ef"),
            "secret_key holds characters outside printable ASCII",
        ),
        (dict(uid="alice", access_key=S3_ACCESS, secret_key="tab\there"), "printable ASCII"),
    ):
        failure = replay.run(main, params)
        assert failure.failed
        assert text in failure.result["msg"]
    assert replay.calls == []


@pytest.mark.parametrize("size", ["100GB", "100g", "1.5G", "-1G", "ten", "", 1.5, True, "8E"])
def test_quota_sizes_that_cannot_be_right_are_refused_in_one_sentence(replay, size):
    failure = replay.run(main, dict(uid="alice", user_quota=dict(max_size=size)))
    assert failure.failed
    assert failure.result["msg"] == (
        "user_quota.max_size is %r; give bytes (107374182400), a size in powers of 1024 (100G, 100Gi or 100GiB; "
        "also K, M, T, P, E), or -1 for no limit." % (size,)
    )
    assert replay.calls == []


@pytest.mark.parametrize(
    "cap",
    [
        {"type": "users=*;buckets", "perm": "read"},
        {"type": "Users", "perm": "read"},
        {"type": "users", "perm": "delete"},
        {"type": "users", "perm": "read,write"},
    ],
)
def test_caps_that_cannot_be_right_are_refused(replay, cap):
    failure = replay.run(main, dict(uid="alice", caps=[cap]))
    assert failure.failed
    assert "must be one of" in failure.result["msg"]
    assert replay.calls == []


def test_email_is_compared_as_rgw_stores_it(replay):
    # RGW lowers the ASCII letters of an e-mail address (seen on Pacific: $HOME became $home, Ü stayed).
    replay.expect("user_info_alice")
    assert replay.run(main, dict(ALICE, email="Alice@Example.COM")).result["changed"] is False
