# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""swift_segments_gc against a stand-in for swiftclient.Connection holding a container laid out as distribution
2.8's swift driver writes it; the module against a real RGW is covered by the ceph_aio scenario."""

import json

import pytest

# A plain import: without python-swiftclient (tests/unit/requirements.txt) these tests must fail, not be skipped.
from swiftclient.exceptions import ClientException

from ansible_collections.wharf.registry.plugins.module_utils import _swift
from ansible_collections.wharf.registry.plugins.modules.swift_segments_gc import main

KEY = "wharf-test-swift-secret-000000000000000002"
AUTH = dict(auth_url="http://rgw:7480/auth/v1", user="demo:swift", key=KEY)
NOW = "Tue, 01 Dec 2026 12:00:00 GMT"
OLD = "2026-11-20T08:00:00.000Z"  # RGW's form
RECENT = "2026-12-01T11:30:00.123456"  # Swift's form, 30 minutes before NOW
MIB = 1024 * 1024


# A set registry 2.8.2 wrote on RGW (Pacific) for a blob of repository seed/big: the hex of the upload's path, 32
# random bytes and the SHA-1 of both, split after 3 digits.
REAL_SET = (
    "segments/2f6/46f636b65722f72656769737472792f76322f7265706f7369746f726965732f736565642f6269672f5f75706c"
    "6f6164732f33623734303363302d323061372d343537342d386430622d3562396362363963313834362f64617461640b08684de2"
    "011fdcbe5ef865c7137e97adc369caa7b2e86d94d8dd8e66b5e4da39a3ee5e6b4b0d3255bfef95601890afd80709"
)


def set_name(digest, prefix="segments/"):
    """A set's name shaped as the driver makes it (hex of a path, random bytes and a SHA-1, split after 3 digits)
    under <prefix>/segments/."""
    digest = (digest * 200)[:200]
    return prefix + digest[:3] + "/" + digest[3:]


def segments(name, sizes, modified=OLD):
    return [
        {"name": "%s/%016d" % (name, number), "bytes": size, "last_modified": modified}
        for number, size in enumerate(sizes, 1)
    ]


def manifest(path, target, container="registry"):
    return {"name": path, "bytes": 0, "last_modified": OLD, "manifest": container + "/" + target}


def blob(digest):
    return "files/docker/registry/v2/blobs/sha256/%s/%s/data" % (digest[:2], digest)


class FakeConnection:
    """One container's objects (a "manifest" key makes an object a DLO manifest); records every request."""

    def __init__(self, objects, fail_delete=None):
        self.objects = {obj["name"]: obj for obj in objects}
        self.fail_delete = fail_delete
        self.requests = []

    def __call__(self, **kwargs):
        return self

    def get_auth(self):
        self.requests.append("auth")
        return "http://rgw:7480/swift/v1", "token"

    def get_container(self, container, full_listing=False):
        assert container == "registry" and full_listing
        self.requests.append("list")
        listing = [{k: v for k, v in obj.items() if k != "manifest"} for name, obj in sorted(self.objects.items())]
        return {"date": NOW, "x-container-object-count": str(len(listing))}, listing

    def head_object(self, container, name):
        self.requests.append(("head", name))
        headers = {"content-length": "0"}
        if "manifest" in self.objects[name]:
            headers["x-object-manifest"] = self.objects[name]["manifest"]
        return headers

    def delete_object(self, container, name):
        self.requests.append(("delete", name))
        if name == self.fail_delete:
            raise ClientException("Object DELETE failed", http_status=503)
        if self.objects.pop(name, None) is None:
            raise ClientException("Object DELETE failed", http_status=404)

    def names(self):
        return sorted(self.objects)


@pytest.fixture
def run(monkeypatch, run_module):
    def run_with(conn, params, check_mode=False, diff=False):
        monkeypatch.setattr(_swift.swiftclient, "Connection", conn)
        done = run_module(main, dict(AUTH, **dict(dict(container="registry"), **params)), check_mode, diff)
        assert KEY not in json.dumps(done.result)
        return done

    return run_with


KEPT = set_name("a1")
ORPHAN = set_name("b2")


def registry(*extra):
    """A pushed blob whose manifest points at KEPT (3 segments) and a blob a GC deleted, leaving ORPHAN (2)."""
    link = {"name": "files/docker/registry/v2/repositories/r/_layers/sha256/x/link", "bytes": 71, "last_modified": OLD}
    return (
        [manifest(blob("a1" * 32), KEPT), link]
        + segments(KEPT, [20 * MIB, 20 * MIB, 5])
        + segments(ORPHAN, [20 * MIB, 7])
        + list(extra)
    )


def test_dry_run_finds_the_orphan_and_keeps_the_referenced_set(run):
    conn = FakeConnection(registry())
    result = run(conn, {}).result
    assert result["changed"] is False
    assert result["manifests"] == 1
    assert result["referenced"] == {"sets": 1, "objects": 3, "bytes": 40 * MIB + 5}
    assert result["orphaned"] == {"sets": 1, "objects": 2, "bytes": 20 * MIB + 7}
    assert result["deleted"] == {"sets": 0, "objects": 0, "bytes": 0}
    assert result["orphaned_sets"] == [ORPHAN]
    assert result["segments_path"] == "segments/"
    # One listing, then only the zero-byte object is read: segments and link files have bytes.
    assert conn.requests == ["auth", "list", ("head", blob("a1" * 32))]


def test_delete_removes_exactly_the_orphan_then_nothing(run):
    conn = FakeConnection(registry())
    before = conn.names()
    result = run(conn, dict(delete=True), diff=True).result
    assert result["changed"] is True
    assert result["deleted"] == {"sets": 1, "objects": 2, "bytes": 20 * MIB + 7}
    assert sorted(set(before) - set(conn.names())) == [ORPHAN + "/0000000000000001", ORPHAN + "/0000000000000002"]
    assert result["diff"] == {
        "before": {"orphaned": {"sets": 1, "objects": 2, "bytes": 20 * MIB + 7}},
        "after": {"orphaned": {"sets": 0, "objects": 0, "bytes": 0}},
    }
    again = run(conn, dict(delete=True)).result
    assert again["changed"] is False
    assert again["orphaned"]["sets"] == 0
    assert again["referenced"]["sets"] == 1


def test_check_mode_reports_what_delete_would_remove_and_removes_nothing(run):
    conn = FakeConnection(registry())
    before = conn.names()
    checked = run(conn, dict(delete=True), check_mode=True, diff=True).result
    assert conn.names() == before
    assert not [r for r in conn.requests if r[0] == "delete"]
    real = run(conn, dict(delete=True), diff=True).result
    for key in ("changed", "deleted", "orphaned", "orphaned_sets", "diff"):
        assert checked[key] == real[key]


def test_a_young_orphan_is_kept(run):
    young = set_name("c3")
    conn = FakeConnection(registry(*(segments(young, [20 * MIB], OLD) + segments(young, [0, 9], RECENT)[1:])))
    result = run(conn, dict(delete=True)).result
    assert result["young"] == {"sets": 1, "objects": 2, "bytes": 20 * MIB + 9}
    assert result["deleted"]["sets"] == 1
    assert young + "/0000000000000002" in conn.names()
    # Half an hour is old enough when min_age says so.
    assert run(conn, dict(delete=True, min_age=1800)).result["deleted"]["sets"] == 1


def test_a_manifest_anywhere_in_the_container_keeps_its_set(run):
    hand_made = set_name("d4")
    conn = FakeConnection(registry(manifest("backups/large.iso", hand_made + "/"), *segments(hand_made, [5])))
    result = run(conn, dict(delete=True)).result
    assert result["manifests"] == 2
    assert result["referenced"]["sets"] == 2
    assert hand_made + "/0000000000000001" in conn.names()


def test_a_manifest_for_another_container_protects_nothing_here(run):
    # Same segment names, other container: a DLO there reads that container's objects, not these.
    conn = FakeConnection(registry(manifest("files/elsewhere/data", ORPHAN, container="registry-old")))
    result = run(conn, dict(delete=True)).result
    assert result["manifests"] == 2
    assert result["deleted"]["sets"] == 1
    assert not [name for name in conn.names() if name.startswith(ORPHAN)]


def test_a_manifest_prefix_covers_every_set_it_begins(run):
    # A DLO is every object whose name starts with the manifest's prefix: "segments/b" reaches ORPHAN.
    conn = FakeConnection(registry(manifest("odd", "segments/b")))
    result = run(conn, dict(delete=True)).result
    assert result["referenced"]["sets"] == 2
    assert result["changed"] is False


def test_a_url_encoded_manifest_keeps_its_set(run):
    conn = FakeConnection(registry(manifest("encoded", ORPHAN.replace("/", "%2F"))))
    assert run(conn, dict(delete=True)).result["referenced"]["sets"] == 2


def test_the_driver_prefix(run):
    mine = set_name("e5", prefix="reg-a/segments/")
    theirs = set_name("f6", prefix="reg-b/segments/")
    conn = FakeConnection(segments(mine, [3]) + segments(theirs, [4]) + segments(ORPHAN, [5]))
    # The driver trims leading slashes: prefix /reg-a writes reg-a/segments/.
    result = run(conn, dict(prefix="/reg-a", delete=True)).result
    assert result["segments_path"] == "reg-a/segments/"
    assert result["deleted"] == {"sets": 1, "objects": 1, "bytes": 3}
    assert conn.names() == [theirs + "/0000000000000001", ORPHAN + "/0000000000000001"]


def test_objects_not_named_as_segments_are_never_touched(run):
    conn = FakeConnection(
        [
            {"name": "segments/notes.txt", "bytes": 3, "last_modified": OLD},
            {"name": ORPHAN + "/1", "bytes": 3, "last_modified": OLD},
        ]
    )
    result = run(conn, dict(delete=True)).result
    assert result["unrecognised_objects"] == 2
    assert result["changed"] is False
    assert len(conn.names()) == 2


def test_max_report_limits_the_names(run):
    conn = FakeConnection(sum((segments(set_name(digit), [1]) for digit in "0123456789"), []))
    result = run(conn, dict(max_report=3)).result
    assert result["orphaned"]["sets"] == 10
    assert result["orphaned_sets"] == [set_name(digit) for digit in "012"]


def test_a_failed_delete_says_what_was_deleted_before(run):
    conn = FakeConnection(registry(), fail_delete=ORPHAN + "/0000000000000002")
    failure = run(conn, dict(delete=True))
    assert failure.failed
    assert failure.result["msg"] == (
        "Deleting segment %s/0000000000000002 failed (HTTP 503) after 1 objects (20971520 bytes) were deleted." % ORPHAN
    )
    assert failure.result["deleted"] == {"sets": 0, "objects": 1, "bytes": 20 * MIB}


def test_a_missing_container_is_one_sentence(run):
    class Missing(FakeConnection):
        def get_container(self, container, full_listing=False):
            raise ClientException("Container GET failed", http_status=404)

    failure = run(Missing([]), {})
    assert failure.failed
    assert failure.result["msg"] == "container registry does not exist."


@pytest.mark.parametrize(
    "params, msg",
    [
        (dict(container="a/b"), "container must be a non-empty name without '/'."),
        (dict(min_age=-1), "min_age must be 0 or more."),
        (dict(max_report=-5), "max_report must be 0 or more."),
    ],
)
def test_bad_input_is_one_sentence_before_any_request(run, params, msg):
    conn = FakeConnection(registry())
    failure = run(conn, params)
    assert failure.failed
    assert failure.result["msg"] == msg
    assert conn.requests == []


def test_a_set_as_registry_2_8_names_it(run):
    kept = REAL_SET.replace("0709", "0708")
    conn = FakeConnection(
        segments(REAL_SET, [20 * MIB, 20 * MIB, 3]) + segments(kept, [7]) + [manifest(blob("aa" * 32), kept)]
    )
    result = run(conn, dict(delete=True)).result
    assert result["unrecognised_objects"] == 0
    assert result["deleted"] == {"sets": 1, "objects": 3, "bytes": 40 * MIB + 3}
    assert conn.names() == [blob("aa" * 32), kept + "/0000000000000001"]
