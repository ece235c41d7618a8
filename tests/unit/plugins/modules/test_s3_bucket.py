# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""s3_bucket and its SigV4 client against a stand-in for RGW's S3 API that checks every signature with botocore's
signer (an implementation independent of the one under test) and refuses a clock skewed as RGW does; the module
against a real RGW is covered by the registry storage molecule scenarios."""

import base64
import datetime
import hashlib
import io
import json
from urllib.error import HTTPError, URLError
from xml.etree import ElementTree

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
# Rules as RGW 16.2 (Pacific) and 18.2 (Reef) answer GET ?lifecycle (molecule/ceph_aio shows them): a user's own,
# which must come back from every run as it was, and ours, whose Filter holding an empty Prefix RGW answers as a bare
# Prefix.
USER_RULE = (
    "<Rule><ID>user-expire-tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status>"
    "<Expiration><Days>30</Days></Expiration></Rule>"
)
OUR_RULE_7_DAYS = (
    "<Rule><ID>wharf-abort-incomplete-uploads</ID><Prefix></Prefix><Status>Enabled</Status>"
    "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>"
    "</Rule>"
)
OUR_RULE_DATA = {
    "ID": "wharf-abort-incomplete-uploads",
    "Status": "Enabled",
    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": "7"},
}


def lifecycle(*rules):
    return (
        '<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        + "".join(rules)
        + "</LifecycleConfiguration>"
    ).encode()


def rules_of(document):
    """(ID, rule as data) of each rule, in order."""
    return [(rule.findtext("ID"), _s3.element_data(rule)) for rule in _s3.lifecycle_rules(document)]


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

    def __init__(self, buckets=(), non_empty=(), foreign=(), secret=SECRET, down=False, lifecycles=None):
        self.buckets = set(buckets)
        self.lifecycles = dict(lifecycles or {})
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
        path, dummy, query = url[len(ENDPOINT) :].partition("?")
        if not self.authentic(method, url, headers, data):
            raise self.error(url, 403, None if method == "HEAD" else "SignatureDoesNotMatch")
        bucket = path.strip("/")
        if query == "lifecycle=":
            return self.lifecycle(method, url, bucket, headers, data)
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

    def lifecycle(self, method, url, bucket, headers, data):
        if bucket not in self.buckets:
            raise self.error(url, 404, "NoSuchBucket")
        if method == "GET":
            if bucket not in self.lifecycles:
                raise self.error(url, 404, "NoSuchLifecycleConfiguration")
            return Response(200, self.lifecycles[bucket])
        if method == "PUT":
            digest = base64.b64encode(hashlib.md5(data).digest()).decode()
            if headers.get("Content-MD5") != digest:
                raise self.error(url, 400, "InvalidDigest")
            ids = [rule.findtext("ID") for rule in _s3.lifecycle_rules(data)]
            if not ids:
                raise self.error(url, 400, "MalformedXML")
            if len(set(ids)) != len(ids):
                raise self.error(url, 400, "InvalidArgument")
            # Stored in the form RGW answers it in later (OUR_RULE_7_DAYS).
            self.lifecycles[bucket] = data.replace(b"<Filter><Prefix /></Filter>", b"<Prefix></Prefix>")
            return Response(200)
        if method == "DELETE":
            self.lifecycles.pop(bucket, None)
            return Response(204)
        raise AssertionError("unexpected %s %s" % (method, url))

    def calls(self):
        """The requests as METHOD [?lifecycle]."""
        return [method + (" ?lifecycle" if url.endswith("?lifecycle=") else "") for method, url in self.requests]


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


def test_abort_rule_in_four_steps_beside_a_users_rule(run):
    rgw = FakeRGW(buckets=["registry"], lifecycles={"registry": lifecycle(USER_RULE)})
    days = {"abort_incomplete_uploads_days": 7}
    check = run(rgw, days, check_mode=True, diff=True)
    assert check.result["changed"] and rgw.lifecycles == {"registry": lifecycle(USER_RULE)}
    assert check.result["diff"]["before"] == {"lifecycle rule wharf-abort-incomplete-uploads": None}
    assert check.result["diff"]["after"] == {"lifecycle rule wharf-abort-incomplete-uploads": OUR_RULE_DATA}
    applied = run(rgw, days)
    assert applied.result["changed"]
    assert applied.result["bucket"] == {"name": "registry", "exists": True, "abort_incomplete_uploads_days": 7}
    assert rules_of(rgw.lifecycles["registry"]) == rules_of(lifecycle(USER_RULE, OUR_RULE_7_DAYS))
    assert USER_RULE.encode() in rgw.lifecycles["registry"]
    assert not run(rgw, days, check_mode=True).result["changed"]
    assert not run(rgw, days).result["changed"]
    # A no-op run reads the bucket and its lifecycle, nothing more.
    assert rgw.calls() == ["HEAD", "GET ?lifecycle", "HEAD", "GET ?lifecycle", "PUT ?lifecycle"] + 2 * [
        "HEAD",
        "GET ?lifecycle",
    ]


def test_other_days_replace_only_our_rule_in_its_place(run):
    rgw = FakeRGW(buckets=["registry"], lifecycles={"registry": lifecycle(OUR_RULE_7_DAYS, USER_RULE)})
    changed = run(rgw, {"abort_incomplete_uploads_days": 3}, diff=True)
    assert changed.result["changed"]
    assert changed.result["diff"]["before"] == {"lifecycle rule wharf-abort-incomplete-uploads": OUR_RULE_DATA}
    assert changed.result["diff"]["after"]["lifecycle rule wharf-abort-incomplete-uploads"][
        "AbortIncompleteMultipartUpload"
    ] == {"DaysAfterInitiation": "3"}
    assert rules_of(rgw.lifecycles["registry"]) == rules_of(lifecycle(OUR_RULE_7_DAYS.replace(">7<", ">3<"), USER_RULE))


def test_our_rule_changed_by_hand_is_set_back(run):
    disabled = OUR_RULE_7_DAYS.replace("Enabled", "Disabled")
    rgw = FakeRGW(buckets=["registry"], lifecycles={"registry": lifecycle(disabled)})
    assert run(rgw, {"abort_incomplete_uploads_days": 7}).result["changed"]
    assert rules_of(rgw.lifecycles["registry"]) == rules_of(lifecycle(OUR_RULE_7_DAYS))


def test_zero_removes_our_rule_and_keeps_the_users(run):
    rgw = FakeRGW(buckets=["registry"], lifecycles={"registry": lifecycle(USER_RULE, OUR_RULE_7_DAYS)})
    zero = {"abort_incomplete_uploads_days": 0}
    check = run(rgw, zero, check_mode=True, diff=True)
    assert check.result["changed"]
    assert check.result["diff"]["after"] == {"lifecycle rule wharf-abort-incomplete-uploads": None}
    assert rules_of(rgw.lifecycles["registry"]) == rules_of(lifecycle(USER_RULE, OUR_RULE_7_DAYS))
    assert run(rgw, zero).result["changed"]
    assert rules_of(rgw.lifecycles["registry"]) == rules_of(lifecycle(USER_RULE))
    assert not run(rgw, zero, check_mode=True).result["changed"]
    assert not run(rgw, zero).result["changed"]


def test_zero_removes_a_configuration_left_without_rules(run):
    rgw = FakeRGW(buckets=["registry"], lifecycles={"registry": lifecycle(OUR_RULE_7_DAYS)})
    assert run(rgw, {"abort_incomplete_uploads_days": 0}).result["changed"]
    assert rgw.lifecycles == {}
    assert rgw.calls()[-1] == "DELETE ?lifecycle"
    assert not run(rgw, {"abort_incomplete_uploads_days": 0}).result["changed"]


def test_unset_leaves_the_lifecycle_alone(run):
    rgw = FakeRGW(buckets=["registry"], lifecycles={"registry": lifecycle(OUR_RULE_7_DAYS)})
    done = run(rgw, {})
    assert not done.result["changed"] and "abort_incomplete_uploads_days" not in done.result["bucket"]
    assert rgw.calls() == ["HEAD"]


def test_a_new_bucket_gets_the_rule_and_check_mode_says_so_without_reading(run):
    rgw = FakeRGW()
    days = {"abort_incomplete_uploads_days": 7}
    check = run(rgw, days, check_mode=True, diff=True)
    assert check.result["diff"]["after"] == {
        "state": "present",
        "lifecycle rule wharf-abort-incomplete-uploads": OUR_RULE_DATA,
    }
    assert rgw.calls() == ["HEAD"]
    assert run(rgw, days).result["changed"]
    assert rgw.calls()[1:] == ["HEAD", "PUT", "PUT ?lifecycle"]
    assert rules_of(rgw.lifecycles["registry"]) == rules_of(lifecycle(OUR_RULE_7_DAYS))


def test_negative_days_are_one_sentence_before_any_request(run):
    rgw = FakeRGW(buckets=["registry"])
    failed = run(rgw, {"abort_incomplete_uploads_days": -1})
    assert failed.failed
    assert failed.result["msg"] == (
        "abort_incomplete_uploads_days is -1; give the days after which RGW aborts incomplete uploads (1 or more), 0 "
        "to remove that rule, or leave it unset to leave the bucket's lifecycle alone."
    )
    assert rgw.requests == []


def test_the_lifecycle_document_keeps_a_rule_as_it_came():
    # Tags, text and order as RGW sent them, in S3's namespace.
    document = _s3.lifecycle_document(_s3.lifecycle_rules(lifecycle(USER_RULE)))
    root = ElementTree.fromstring(document)
    assert root.tag == "{http://s3.amazonaws.com/doc/2006-03-01/}LifecycleConfiguration"
    assert document.endswith(
        (
            '<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            + USER_RULE
            + "</LifecycleConfiguration>"
        ).encode()
    )


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
