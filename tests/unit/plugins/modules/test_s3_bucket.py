# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""s3_bucket and its SigV4 client against a stand-in for RGW's S3 API that checks every signature with botocore's
signer (an implementation independent of the one under test) and refuses a clock skewed as RGW does; the module
against a real RGW is covered by the registry storage molecule scenarios."""

import datetime
import io
import json
from urllib.error import HTTPError, URLError

import pytest

from ansible_collections.wharf.registry.plugins.module_utils import _s3
from ansible_collections.wharf.registry.plugins.modules.s3_bucket import main
from ansible_collections.wharf.registry.tests.unit.plugins.sigv4_botocore import (
    MAX_SKEW,
    authentic,
    botocore_signature,
)

ACCESS = "WHARFTESTACCESSKEY01"
SECRET = "wharf-test-s3-secret-0000000000000000000001"
ENDPOINT = "http://rgw:7480"
# The shape of RGW's error bodies (Pacific), e.g. for a bucket that still holds objects.
ERROR_BODY = (
    '<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><BucketName>registry</BucketName>'
    "<RequestId>tx000001</RequestId><HostId>1234-default-default</HostId></Error>"
)


def test_signature_matches_the_aws_documentation_example():
    # AWS's published SigV4 example: GET /test.txt on examplebucket with a Range header, 2013-05-24.
    header = _s3.sign_v4(
        "GET",
        "examplebucket.s3.amazonaws.com",
        "/test.txt",
        {"Range": "bytes=0-9"},
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "us-east-1",
        "20130524T000000Z",
    )
    assert header == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def test_signature_is_the_one_botocore_computes():
    url = ENDPOINT + "/registry"
    headers = {"Host": "rgw:7480", "x-amz-date": "20261128T120000Z", "x-amz-content-sha256": _s3.EMPTY_SHA256}
    credential, signed, signature = botocore_signature("PUT", url, headers, b"", ACCESS, SECRET, "default")
    assert _s3.sign_v4("PUT", "rgw:7480", "/registry", {}, ACCESS, SECRET, "default", "20261128T120000Z") == (
        "AWS4-HMAC-SHA256 Credential=%s,SignedHeaders=%s,Signature=%s" % (credential, signed, signature)
    )


class Response:
    def __init__(self, status, body=b""):
        self.status = status
        self.body = body

    def getcode(self):
        return self.status

    def read(self):
        return self.body


class FakeRGW:
    """One user's buckets; answers like RGW and refuses any request whose signature is not the expected one."""

    def __init__(self, buckets=(), non_empty=(), foreign=(), secret=SECRET, down=False):
        self.buckets = set(buckets)
        self.non_empty = set(non_empty)
        self.foreign = set(foreign)
        self.secret = secret
        self.down = down
        self.requests = []
        self.trusted = []

    def authentic(self, method, url, headers, data):
        return authentic(method, url, headers, data, ACCESS, self.secret)

    def error(self, url, status, code=None):
        body = (ERROR_BODY % code).encode() if code else b""
        return HTTPError(url, status, code or "", {}, io.BytesIO(body))

    def __call__(self, url, method=None, headers=None, data=None, **kwargs):
        self.requests.append((method, url))
        if kwargs.get("ca_path"):
            with open(kwargs["ca_path"], encoding="utf-8") as handle:
                self.trusted.append(handle.read())
        if self.down:
            raise URLError("[Errno 111] Connection refused")
        assert url.startswith(ENDPOINT + "/")
        path = url[len(ENDPOINT) :]
        if not self.authentic(method, url, headers, data):
            raise self.error(url, 403, None if method == "HEAD" else "SignatureDoesNotMatch")
        bucket = path.strip("/")
        if method == "GET" and not bucket:
            return Response(200, b"<ListAllMyBucketsResult/>")
        if bucket in self.foreign:
            raise self.error(url, 403, None if method == "HEAD" else "AccessDenied")
        if method == "HEAD":
            if bucket not in self.buckets:
                raise self.error(url, 404)
            return Response(200)
        if method == "PUT":
            self.buckets.add(bucket)
            return Response(200)
        if method == "DELETE":
            if bucket in self.non_empty:
                raise self.error(url, 409, "BucketNotEmpty")
            self.buckets.discard(bucket)
            return Response(204)
        raise AssertionError("unexpected %s %s" % (method, url))


@pytest.fixture(name="run")
def fixture_run(monkeypatch, run_module):
    def run_with(rgw, params, check_mode=False, diff=False):
        monkeypatch.setattr(_s3, "open_url", rgw)
        args = dict(endpoint=ENDPOINT, access_key=ACCESS, secret_key=SECRET, bucket="registry")
        args.update(params)
        done = run_module(main, args, check_mode, diff)
        assert SECRET not in json.dumps(done.result)
        return done

    return run_with


def test_create_in_four_steps(run):
    rgw = FakeRGW()
    check = run(rgw, {}, check_mode=True, diff=True)
    assert check.result["changed"] and rgw.buckets == set()
    assert check.result["diff"]["before"] == {"state": "absent"}
    assert check.result["diff"]["after"] == {"state": "present"}
    applied = run(rgw, {})
    assert applied.result["changed"] and rgw.buckets == {"registry"}
    assert applied.result["bucket"] == {"name": "registry", "exists": True}
    assert not run(rgw, {}, check_mode=True).result["changed"]
    again = run(rgw, {})
    assert not again.result["changed"]
    # A no-op run is one HEAD.
    assert rgw.requests[-1] == ("HEAD", ENDPOINT + "/registry")
    assert [method for method, url in rgw.requests] == ["HEAD", "HEAD", "PUT", "HEAD", "HEAD"]


def test_ca_content_is_the_only_ca_trusted(run):
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    rgw = FakeRGW(buckets=["registry"])
    assert not run(rgw, {"ca_content": pem}).result["changed"] and rgw.trusted == [pem]
    run(rgw, {})
    assert rgw.trusted == [pem]


def test_remove_in_four_steps(run):
    rgw = FakeRGW(buckets=["registry"])
    assert run(rgw, {"state": "absent"}, check_mode=True).result["changed"]
    assert rgw.buckets == {"registry"}
    assert run(rgw, {"state": "absent"}).result["changed"]
    assert rgw.buckets == set()
    assert not run(rgw, {"state": "absent"}, check_mode=True).result["changed"]
    assert not run(rgw, {"state": "absent"}).result["changed"]


def test_non_empty_bucket_is_not_removed(run):
    rgw = FakeRGW(buckets=["registry"], non_empty=["registry"])
    failed = run(rgw, {"state": "absent"})
    assert failed.failed and "still holds objects" in failed.result["msg"]
    assert rgw.buckets == {"registry"}


def test_wrong_secret_is_one_sentence_and_changes_nothing(run):
    rgw = FakeRGW(secret="the-real-secret")
    failed = run(rgw, {})
    assert failed.failed
    assert failed.result["msg"] == "RGW rejected the S3 keys (SignatureDoesNotMatch): check access_key and secret_key."
    assert [method for method, url in rgw.requests] == ["HEAD", "GET"]
    assert rgw.buckets == set()


def test_someone_elses_bucket(run):
    rgw = FakeRGW(foreign=["registry"])
    failed = run(rgw, {})
    assert failed.failed and failed.result["msg"] == "bucket registry exists but belongs to another user."


def test_unreachable_endpoint(run):
    failed = run(FakeRGW(down=True), {})
    assert failed.failed and failed.result["msg"].startswith("cannot reach http://rgw:7480: ")


@pytest.mark.parametrize("name", ["ab", "Registry", "-registry", "reg..istry", "reg_istry", "a" * 64])
def test_invalid_bucket_names_are_refused_before_any_request(run, name):
    rgw = FakeRGW()
    failed = run(rgw, {"bucket": name})
    assert failed.failed and "is not a valid S3 bucket name" in failed.result["msg"]
    assert rgw.requests == []


def test_endpoint_must_be_a_url(run):
    failed = run(FakeRGW(), {"endpoint": "rgw:7480"})
    assert failed.failed and failed.result["msg"].startswith("endpoint must be an http:// or https:// URL")


def test_client_signs_with_the_current_time(monkeypatch):
    # The fake checks the date against its own clock: a client that signed with a fixed or stale time is refused.
    rgw = FakeRGW(buckets=["registry"])
    monkeypatch.setattr(_s3, "open_url", rgw)
    assert _s3.S3Client(ENDPOINT, ACCESS, SECRET).bucket_exists("registry")


def test_a_stale_clock_is_refused_as_rgw_refuses_it(monkeypatch):
    rgw = FakeRGW(buckets=["registry"])
    monkeypatch.setattr(_s3, "open_url", rgw)
    stale = datetime.datetime.now(datetime.UTC) - 2 * MAX_SKEW
    with pytest.raises(_s3.S3Error) as caught:
        _s3.S3Client(ENDPOINT, ACCESS, SECRET, now=lambda: stale).create_bucket("other")
    assert caught.value.status == 403
    assert rgw.buckets == {"registry"}


def test_the_fake_refuses_a_signature_of_the_wrong_secret():
    headers = {
        "Host": "rgw:7480",
        "x-amz-date": datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ"),
        "x-amz-content-sha256": _s3.EMPTY_SHA256,
    }
    headers["Authorization"] = _s3.sign_v4(
        "HEAD", "rgw:7480", "/registry", {}, ACCESS, SECRET + "x", "default", headers["x-amz-date"]
    )
    assert not FakeRGW().authentic("HEAD", ENDPOINT + "/registry", headers, None)
