# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""swift_container against a stand-in for swiftclient.Connection that answers with the headers RGW sent (recorded
from Pacific); the module's behaviour against a real RGW is covered by the molecule scenarios."""

import json

import pytest

# A plain import: without python-swiftclient (tests/unit/requirements.txt) these tests must fail, not be skipped.
from swiftclient.exceptions import ClientException

from ansible_collections.wharf.registry.plugins.module_utils import _swift
from ansible_collections.wharf.registry.plugins.modules.swift_container import main

KEY = "wharf-test-swift-secret-000000000000000001"
AUTH = dict(auth_url="http://rgw:7480/auth/v1", user="demo:swift", key=KEY)
# HEAD of a container on RGW 16.2.15 with a read ACL and one metadata key.
RGW_HEAD = {
    "x-timestamp": "1795876585.87750",
    "x-container-object-count": "0",
    "x-container-bytes-used": "0",
    "x-container-bytes-used-actual": "0",
    "x-container-read": ".r:*,.rlistings",
    "x-storage-policy": "default-placement",
    "x-storage-class": "STANDARD",
    "x-container-meta-foo": "Bar",
    "content-type": "text/plain; charset=utf-8",
}


class FakeConnection:
    """Keeps one container's headers and objects; records every request."""

    def __init__(self, headers=None, objects=(), auth_error=None):
        self.headers = dict(headers) if headers is not None else None
        self.objects = list(objects)
        self.auth_error = auth_error
        self.requests = []

    def __call__(self, **kwargs):
        self.kwargs = kwargs
        return self

    def get_auth(self):
        self.requests.append("auth")
        if self.auth_error:
            raise self.auth_error
        return "http://rgw:7480/swift/v1", "token"

    def head_container(self, name):
        self.requests.append("head")
        if self.headers is None:
            raise ClientException("Container HEAD failed", http_status=404)
        return dict(self.headers, **{"x-container-object-count": str(len(self.objects))})

    def put_container(self, name, headers):
        self.requests.append(("put", dict(headers)))
        self.headers = {"x-container-object-count": "0", "x-container-bytes-used": "0"}
        self.post_container(name, headers, record=False)

    def post_container(self, name, headers, record=True):
        if record:
            self.requests.append(("post", dict(headers)))
        for key, value in headers.items():
            key = key.lower()
            if key.startswith("x-remove-container-meta-"):
                self.headers.pop("x-container-meta-" + key[len("x-remove-container-meta-") :], None)
            elif value == "":
                self.headers.pop(key, None)
            else:
                self.headers[key] = value

    def get_container(self, name, full_listing=False):
        self.requests.append("list")
        return {}, [{"name": obj} for obj in self.objects]

    def delete_object(self, name, obj):
        self.requests.append(("delete_object", obj))
        self.objects.remove(obj)

    def delete_container(self, name):
        self.requests.append("delete")
        self.headers = None


@pytest.fixture
def run(monkeypatch, run_module):
    def run_with(conn, params, check_mode=False, diff=False):
        monkeypatch.setattr(_swift.swiftclient, "Connection", conn)
        done = run_module(main, dict(AUTH, **params), check_mode, diff)
        assert KEY not in json.dumps(done.result)
        return done

    return run_with


def test_create_then_noop(run):
    conn = FakeConnection()
    result = run(conn, dict(container="reg", read_acl=".r:*", metadata={"Owner": "me"}), diff=True).result
    assert result["changed"] is True
    assert conn.requests == [
        "auth",
        "head",
        ("put", {"X-Container-Read": ".r:*", "X-Container-Meta-owner": "me"}),
        "head",
    ]
    assert result["container"]["metadata"] == {"owner": "me"}
    assert conn.kwargs["auth_version"] == "1"
    conn.requests = []
    result = run(conn, dict(container="reg", read_acl=".r:*", metadata={"owner": "me"})).result
    assert result["changed"] is False
    assert conn.requests == ["auth", "head"]


def test_check_mode_predicts_and_changes_nothing(run):
    conn = FakeConnection(RGW_HEAD)
    params = dict(container="reg", write_acl="demo:swift", metadata={"baz": "1"}, purge_metadata=True)
    checked = run(conn, params, check_mode=True, diff=True).result
    assert conn.requests == ["auth", "head"]
    real = run(conn, params, diff=True).result
    assert checked["changed"] is real["changed"] is True
    assert checked["diff"] == real["diff"]
    for key in ("read_acl", "write_acl", "metadata", "object_count"):
        assert checked["container"][key] == real["container"][key]


def test_acl_change_sends_both_acls(run):
    conn = FakeConnection(RGW_HEAD)
    run(conn, dict(container="reg", write_acl="demo:swift"))
    assert conn.requests[-2] == ("post", {"X-Container-Read": ".r:*,.rlistings", "X-Container-Write": "demo:swift"})


def test_acl_removal_and_spacing(run):
    conn = FakeConnection(RGW_HEAD)
    assert run(conn, dict(container="reg", read_acl=".r:*, .rlistings")).result["changed"] is False
    result = run(conn, dict(container="reg", read_acl="")).result
    assert result["changed"] is True
    assert result["container"]["read_acl"] == ""


def test_absent_refuses_a_non_empty_container(run):
    conn = FakeConnection(RGW_HEAD, objects=["a", "b"])
    failure = run(conn, dict(container="reg", state="absent"))
    assert failure.failed
    assert failure.result["msg"] == "container reg holds 2 objects; set force: true to delete them with it."
    assert conn.requests == ["auth", "head"]


def test_absent_with_force(run):
    conn = FakeConnection(RGW_HEAD, objects=["a", "b"])
    checked = run(conn, dict(container="reg", state="absent", force=True), check_mode=True).result
    assert checked == {"changed": True, "deleted_objects": 2}
    result = run(conn, dict(container="reg", state="absent", force=True)).result
    assert result == {"changed": True, "deleted_objects": 2}
    assert conn.requests[-4:] == ["list", ("delete_object", "a"), ("delete_object", "b"), "delete"]
    assert run(conn, dict(container="reg", state="absent")).result["changed"] is False


def test_wrong_key_is_one_sentence(run):
    conn = FakeConnection(RGW_HEAD, auth_error=ClientException("Auth GET failed", http_status=401))
    failure = run(conn, dict(container="reg"))
    assert failure.failed
    assert failure.result["msg"] == (
        "Swift authentication at http://rgw:7480/auth/v1 failed for user demo:swift (HTTP 401): check user and key."
    )
    assert conn.requests == ["auth"]


def test_unreachable_auth_url(run):
    conn = FakeConnection(auth_error=OSError("Connection refused"))
    failure = run(conn, dict(container="reg"))
    assert failure.failed
    assert failure.result["msg"].startswith("Could not reach the Swift auth URL http://rgw:7480/auth/v1")


def test_keystone_v3_options(run):
    conn = FakeConnection(RGW_HEAD)
    run(conn, dict(container="reg", auth_version="3", project_name="registry", region_name="RegionOne"))
    assert conn.kwargs["auth_version"] == "3"
    assert conn.kwargs["os_options"] == {
        "project_name": "registry",
        "project_domain_name": "Default",
        "user_domain_name": "Default",
        "region_name": "RegionOne",
    }
    failure = run(conn, dict(container="reg", auth_version="3"))
    assert failure.result["msg"] == "auth_version 3 (Keystone) needs project_name."


def test_username_and_password_are_the_registrys_names_for_user_and_key(monkeypatch, run_module):
    conn = FakeConnection(RGW_HEAD)
    monkeypatch.setattr(_swift.swiftclient, "Connection", conn)
    params = dict(auth_url=AUTH["auth_url"], username="demo:swift", password=KEY, container="reg")
    done = run_module(main, params, False, False)
    assert KEY not in json.dumps(done.result)
    assert (conn.kwargs["user"], conn.kwargs["key"]) == ("demo:swift", KEY)
    assert done.result["changed"] is False
