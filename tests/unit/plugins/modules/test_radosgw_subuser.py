# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

import pytest

from ansible_collections.wharf.registry.plugins.modules.radosgw_subuser import main

SWIFT = dict(uid="alice", subuser="swift")
SWIFT_SECRET = "wharf-test-swift-secret-000000000000000001"
SWIFT_SECRET_2 = "wharf-test-swift-secret-000000000000000002"
# alice's state just before the subuser was created, as the recording left it.
BEFORE_SUBUSER = ("user_info_alice", "s3_key_rm_given")


def swift_secret(user, subuser_id="alice:swift"):
    return [k["secret_key"] for k in user["swift_keys"] if k["user"] == subuser_id][0]


def test_create_generates_once(replay):
    replay.expect(BEFORE_SUBUSER, "subuser_create_gen")
    result = replay.run(main, SWIFT, diff=True).result
    assert result["changed"] is True
    assert result["generated"] is True
    assert result["auth_user"] == "alice:swift"
    assert result["subuser"] == {"id": "alice:swift", "permissions": "full-control"}
    assert result["secret"] == swift_secret(replay.json("subuser_create_gen"))
    assert result["diff"] == {
        "before": {"state": "absent", "access": None, "swift_key": None},
        "after": {"state": "present", "access": "full", "swift_key": "******** (changed)"},
    }


def test_create_check_mode(replay):
    replay.expect(BEFORE_SUBUSER)
    checked = replay.run(main, SWIFT, check_mode=True, diff=True).result
    replay.expect(BEFORE_SUBUSER, "subuser_create_gen")
    real = replay.run(main, SWIFT, diff=True).result
    assert checked["changed"] is real["changed"] is True
    assert checked["generated"] is real["generated"] is True
    assert checked["diff"] == real["diff"]
    assert checked["subuser"] == real["subuser"]
    # The secret does not exist yet in check mode.
    assert "secret" not in checked


@pytest.mark.parametrize("check_mode", [True, False])
def test_existing_subuser_is_one_read_and_never_rotated(replay, check_mode):
    # Trap: `subuser create` on an existing subuser rotates the secret silently and ignores --access (recorded).
    created = replay.json("subuser_create_gen")
    rotated = replay.json("subuser_create_again_rotates")
    assert swift_secret(created) != swift_secret(rotated)
    assert rotated["subusers"] == [{"id": "alice:swift", "permissions": "full-control"}]
    replay.expect("user_info_alice_subuser")
    result = replay.run(main, SWIFT, check_mode=check_mode, diff=True).result
    assert result["changed"] is False
    assert result["generated"] is False
    assert "secret" not in result
    assert result["diff"] == {"before": {}, "after": {}}
    assert len(replay.calls) == 1


def test_return_secret(replay):
    replay.expect("user_info_alice_subuser")
    result = replay.run(main, dict(SWIFT, return_secret=True)).result
    assert result["changed"] is False
    assert result["secret"] == swift_secret(replay.json("user_info_alice_subuser"))


def test_rotate_only_when_asked(replay):
    replay.expect("user_info_alice_swift_given", "swift_key_rotate")
    result = replay.run(main, dict(SWIFT, rotate=True), diff=True).result
    assert result["changed"] is True
    assert result["generated"] is True
    assert result["secret"] == swift_secret(replay.json("swift_key_rotate"))
    assert result["diff"] == {"before": {"swift_key": "********"}, "after": {"swift_key": "******** (changed)"}}
    assert SWIFT_SECRET not in json.dumps(result)


@pytest.mark.parametrize(
    "access, before, step",
    [
        ("read", "subuser_create_again_rotates", "subuser_modify_read"),
        ("write", "subuser_modify_read", "subuser_modify_write"),
        ("readwrite", "subuser_modify_write", "subuser_modify_readwrite"),
        ("full", "subuser_modify_readwrite", "subuser_modify_full"),
    ],
)
def test_access_changes_through_modify(replay, access, before, step):
    replay.expect(("user_info_alice", before), step)
    result = replay.run(main, dict(SWIFT, access=access), diff=True).result
    assert result["changed"] is True
    permissions = {"read": "read", "write": "write", "readwrite": "read-write", "full": "full-control"}[access]
    assert result["subuser"]["permissions"] == permissions
    assert replay.json(step)["subusers"] == [{"id": "alice:swift", "permissions": permissions}]
    assert result["diff"]["after"] == {"access": permissions}
    # The secret is untouched by an access change.
    assert swift_secret(replay.json(before)) == swift_secret(replay.json(step))
    replay.expect(("user_info_alice", step))
    assert replay.run(main, dict(SWIFT, access=access)).result["changed"] is False


def test_given_secret_is_set_exactly(replay):
    replay.expect(("user_info_alice", "subuser_modify_full"), "swift_key_set_given")
    result = replay.run(main, dict(SWIFT, secret=SWIFT_SECRET), diff=True).result
    assert result["changed"] is True
    assert result["generated"] is False
    assert "secret" not in result
    assert SWIFT_SECRET not in json.dumps(result)
    assert swift_secret(replay.json("user_info_alice_swift_given")) == SWIFT_SECRET
    replay.expect("user_info_alice_swift_given")
    assert replay.run(main, dict(SWIFT, secret=SWIFT_SECRET, rotate=True)).result["changed"] is False


def test_create_with_given_secret(replay):
    replay.expect(("user_info_alice", "swift_key_rotate"), "subuser_create_given")
    result = replay.run(
        main, dict(uid="alice", subuser="alice:given", access="readwrite", secret=SWIFT_SECRET_2)
    ).result
    assert result["changed"] is True
    assert result["auth_user"] == "alice:given"
    assert result["subuser"] == {"id": "alice:given", "permissions": "read-write"}


def test_invalid_access_is_refused_before_any_call(replay):
    # radosgw-admin itself answers rc 22 "invalid subuser access" (recorded); the module refuses first.
    assert replay.step("subuser_create_admin")["rc"] == 22
    failure = replay.run(main, dict(SWIFT, access="admin"))
    assert failure.failed
    assert "access" in failure.result["msg"]
    assert replay.calls == []


def test_radosgw_admin_failure_is_a_failure(replay):
    replay.expect(BEFORE_SUBUSER, ("subuser_create_gen", "subuser_create_admin"))
    failure = replay.run(main, SWIFT)
    assert failure.failed
    assert failure.result["rc"] == 22
    assert "invalid subuser access" in failure.result["stderr"]


def test_orphan_key_is_removed_with_state_absent(replay):
    # Trap: `key create` for a subuser that does not exist leaves an orphan swift key (recorded).
    orphaned = replay.json("user_info_alice_orphan")
    assert "alice:ghost" not in [s["id"] for s in orphaned["subusers"]]
    assert "alice:ghost" in [k["user"] for k in orphaned["swift_keys"]]
    replay.expect("user_info_alice_orphan", "swift_key_rm_orphan")
    result = replay.run(main, dict(uid="alice", subuser="ghost", state="absent"), diff=True).result
    assert result["changed"] is True
    assert result["diff"] == {"before": {"swift_key": "********"}, "after": {"swift_key": None}}


def test_orphan_key_keeps_its_secret_when_the_subuser_is_made(replay):
    # Making the subuser over an orphan key passes the orphan's secret on, instead of generating a new one.
    orphan_secret = swift_secret(replay.json("user_info_alice_orphan"), "alice:ghost")
    replay.expect(
        "user_info_alice_orphan",
        (
            [
                "subuser",
                "create",
                "--uid=alice",
                "--subuser=alice:ghost",
                "--access=full",
                "--key-type=swift",
                "--secret-key=" + orphan_secret,
            ],
            "user_info_alice_orphan",
        ),
    )
    result = replay.run(main, dict(uid="alice", subuser="ghost")).result
    assert result["changed"] is True
    assert result["generated"] is False
    assert "secret" not in result
    assert replay.calls[-1][-1] == "--secret-key=" + orphan_secret


def test_remove(replay):
    replay.expect(("user_info_alice", "swift_key_rm_orphan"), "subuser_rm")
    result = replay.run(main, dict(uid="alice", subuser="given", state="absent")).result
    assert result["changed"] is True
    assert "alice:given" not in [s["id"] for s in replay.json("subuser_rm")["subusers"]]
    assert "alice:given" not in [k["user"] for k in replay.json("subuser_rm")["swift_keys"]]
    # Removing it again: rc 251 if asked (recorded); the module reads and does nothing.
    assert replay.step("subuser_rm_absent")["rc"] == 251
    replay.expect(("user_info_alice", "subuser_rm"))
    assert replay.run(main, dict(uid="alice", subuser="given", state="absent")).result["changed"] is False


def test_remove_check_mode(replay):
    replay.expect(("user_info_alice", "swift_key_rm_orphan"))
    result = replay.run(main, dict(uid="alice", subuser="given", state="absent"), check_mode=True).result
    assert result["changed"] is True
    assert len(replay.calls) == 1


def test_missing_user(replay):
    # radosgw-admin would answer rc 22 "user info was not populated" (recorded); the module says it plainly.
    assert replay.step("subuser_create_for_missing_user")["rc"] == 22
    replay.expect(("user_info_alice", "user_info_missing"))
    failure = replay.run(main, SWIFT)
    assert failure.failed
    assert failure.result["msg"].startswith("user 'alice' does not exist")
    # In check mode the user may be about to be created by an earlier task that did not run for real.
    replay.expect(("user_info_alice", "user_info_missing"))
    checked = replay.run(main, SWIFT, check_mode=True).result
    assert checked["changed"] is True and checked["generated"] is True
    assert checked["subuser"] == {"id": "alice:swift", "permissions": "full-control"}
    assert "does not exist yet" in replay.warnings[0]
    replay.expect(("user_info_alice", "user_info_missing"))
    assert replay.run(main, dict(SWIFT, state="absent")).result["changed"] is False


def test_bad_names_change_nothing(replay):
    for params, text in (
        (dict(uid="alice:x", subuser="swift"), "must not contain ':'"),
        (dict(uid="alice", subuser="bob:swift"), "belongs to user 'bob'"),
        (dict(uid="alice", subuser="alice:"), "must be a name"),
    ):
        failure = replay.run(main, params)
        assert failure.failed
        assert text in failure.result["msg"]
    assert replay.calls == []


@pytest.mark.parametrize(
    "params, msg",
    [
        (
            dict(uid="alice", subuser=" swift"),
            "subuser ' swift' must be non-empty and must not start or end with white space.",
        ),
        (
            dict(uid="alice", subuser="alice:sw\tift"),
            "subuser 'sw\\tift' must not contain ':' (it joins uid and subuser) or control characters.",
        ),
        (
            dict(uid="alice\n", subuser="swift"),
            "uid 'alice\\n' must be non-empty and must not start or end with white space.",
        ),
    ],
)
def test_names_that_cannot_be_right_are_refused_before_any_call(replay, params, msg):
    failure = replay.run(main, params)
    assert failure.failed and failure.result["msg"] == msg
    assert replay.calls == []
