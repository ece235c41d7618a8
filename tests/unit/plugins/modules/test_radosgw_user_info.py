# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

from ansible_collections.wharf.registry.plugins.modules.radosgw_user_info import main


def test_one_user_is_one_call_with_secrets_masked(replay):
    replay.expect("user_info_alice_final")
    result = replay.run(main, dict(uid="alice")).result
    recorded = replay.json("user_info_alice_final")
    assert result["changed"] is False
    assert [u["user_id"] for u in result["users"]] == ["alice"]
    text = json.dumps(result)
    for key in recorded["keys"] + recorded["swift_keys"]:
        assert key["secret_key"] not in text
    assert {k["secret_key"] for k in result["users"][0]["swift_keys"]} == {"********"}
    assert len(replay.calls) == 1


def test_return_secrets(replay):
    replay.expect("user_info_alice_final")
    result = replay.run(main, dict(uid="alice", return_secrets=True)).result
    assert result["users"][0] == replay.json("user_info_alice_final")


def test_missing_user_is_an_empty_list(replay):
    replay.expect("user_info_missing")
    assert replay.run(main, dict(uid="alice")).result == {"changed": False, "users": []}


def test_all_users(replay):
    replay.expect(
        "user_list",
        ("user_info_alice", "user_info_alice_final"),
        (["user", "info", "--uid=bob"], "user_create_bob_given_key"),
    )
    result = replay.run(main, dict(), check_mode=True).result
    assert [u["user_id"] for u in result["users"]] == ["alice", "bob"]


def test_failure_is_not_success(replay):
    replay.base = ["radosgw-admin", "--cluster", "ceph", "-c", "/nonexistent/ceph.conf", "--format=json"]
    replay.expect((["user", "info", "--uid=alice"], "bad_conf"))
    failure = replay.run(main, dict(uid="alice", conf="/nonexistent/ceph.conf"))
    assert failure.failed
    assert failure.result["rc"] == 1
