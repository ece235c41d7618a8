# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""swift_s3_check against stand-ins for swiftclient.Connection and for S3's HEAD answers; against a real RGW with
Swift large objects written by registry 2.8 it runs in the registry_swift scenario."""

import json

import pytest

from ansible_collections.wharf.registry.plugins.module_utils import _s3, _swift
from ansible_collections.wharf.registry.plugins.modules.swift_s3_check import main, spread

KEY = "wharf-test-swift-secret-000000000000000001"
S3_SECRET = "s3 'q' $HOME ~ %"
PARAMS = dict(
    auth_url="http://rgw:7480/auth/v1",
    user="demo:swift",
    key=KEY,
    container="registry",
    s3_endpoint="http://rgw:7480",
    s3_access_key="AK",
    s3_secret_key=S3_SECRET,
)
BLOBS = "files/docker/registry/v2/blobs/sha256/"


class FakeSwift:
    """Objects by name: (size Swift gives, whether it is a large object's manifest)."""

    def __init__(self, objects):
        self.objects = objects
        self.heads = []

    def __call__(self, **kwargs):
        return self

    def get_auth(self):
        return "http://rgw:7480/swift/v1", "token"

    def get_container(self, name, prefix=None, full_listing=False):
        # A manifest lists as zero bytes; HEAD gives the whole.
        return {}, [
            {"name": obj, "bytes": 0 if dlo else size}
            for obj, (size, dlo) in sorted(self.objects.items())
            if obj.startswith(prefix or "")
        ]

    def head_object(self, container, name):
        self.heads.append(name)
        size, dlo = self.objects[name]
        headers = {"content-length": str(size)}
        if dlo:
            headers["x-object-manifest"] = "%s/segments/%s" % (container, name)
        return headers


@pytest.fixture
def run(monkeypatch, run_module):
    def run_with(objects, s3_sizes, check_mode=False, **params):
        swift = FakeSwift(objects)
        monkeypatch.setattr(_swift.swiftclient, "Connection", swift)

        def request(client, method, path, query=(), with_headers=False):
            name = path.split("/", 2)[2]
            if name not in s3_sizes:
                raise _s3.S3Error("HEAD %s answered HTTP 404" % path, status=404)
            return 200, b"", {"content-length": str(s3_sizes[name])}

        monkeypatch.setattr(_s3.S3Client, "request", request)
        done = run_module(main, dict(PARAMS, **params), check_mode=check_mode)
        assert KEY not in json.dumps(done.result) and S3_SECRET not in json.dumps(done.result)
        done.swift = swift
        return done

    return run_with


def test_large_objects_read_whole_through_s3(run):
    objects = {BLOBS + "aa/%02d/data" % i: (20 + i, i % 2 == 0) for i in range(4)}
    objects["files/docker/registry/v2/repositories/x/_layers/link"] = (71, False)
    result = run(objects, {name: size for name, (size, dlo) in objects.items()}).result
    assert result == dict(changed=False, objects=4, checked=4, large_objects=2, bytes=20 + 21 + 22 + 23)


def test_another_size_through_s3_fails_in_one_sentence(run):
    name = BLOBS + "aa/00/data"
    done = run({name: (62914560, True)}, {name: 0})
    assert done.failed
    assert done.result["msg"] == (
        "S3 gives %s in registry a size of 0 bytes, Swift 62914560: do not move this container to the s3 driver." % name
    )


def test_an_object_s3_cannot_read_fails(run):
    name = BLOBS + "aa/00/data"
    done = run({name: (5, False)}, {})
    assert done.failed
    assert done.result["msg"].startswith(
        "S3 cannot read %s in registry (HEAD /registry/%s answered HTTP 404)" % (name, name)
    )


def test_sample_spreads_over_the_listing(run):
    objects = {BLOBS + "%03d/data" % i: (1, False) for i in range(100)}
    done = run(objects, dict.fromkeys(objects, 1), sample=5, check_mode=True)
    assert done.result["checked"] == 5 and done.result["objects"] == 100
    assert done.swift.heads[0].endswith("000/data") and done.swift.heads[-1].endswith("099/data")


def test_spread():
    assert spread(list(range(10)), 0) == list(range(10))
    assert spread(list(range(10)), 3) == [0, 4, 9]
    assert spread([1, 2], 5) == [1, 2]
    assert spread([7, 8, 9], 1) == [7]


def test_bad_input_fails_in_one_sentence(run):
    assert run({}, {}, s3_endpoint="rgw:7480").result["msg"] == (
        "s3_endpoint must be an http:// or https:// URL, e.g. http://rgw.example.com:7480."
    )
    assert run({}, {}, sample=-1).result["msg"] == "sample is a number of objects, 0 for all of them, not -1."
    assert run({}, {}, container="a/b").result["msg"] == "container must be a non-empty name without '/'."
