# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""registry_storage_usage against a stand-in for RGW's ListObjectsV2 and ListMultipartUploads that checks every
signature with botocore's signer: pages joined by continuation tokens and markers, only the blob store's data objects
counted, incomplete uploads by repository, the rootdirectory, and an error in one sentence. Against a real RGW it
runs in playbooks/gc.yml in the whole-system scenarios, and counts the uploads of killed pushes in registry_s3."""

import io
import json
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.wharf.registry.plugins.module_utils import _s3
from ansible_collections.wharf.registry.plugins.modules.registry_storage_usage import main
from ansible_collections.wharf.registry.tests.unit.plugins.sigv4_botocore import authentic

ACCESS = "WHARFTESTACCESSKEY01"
SECRET = "wharf-test-s3-secret-0000000000000000000001"
ENDPOINT = "https://rgw:443"


def blob_key(root, number):
    digest = "%064x" % number
    return "%sdocker/registry/v2/blobs/sha256/%s/%s/data" % (root, digest[:2], digest), "sha256:" + digest


class Response:
    def __init__(self, body):
        self.body = body

    def getcode(self):
        return 200

    def read(self):
        return self.body


class FakeBucket:
    """ListObjectsV2 over `objects` {key: size} and ListMultipartUploads over `uploads` [(key, initiated)], `page`
    entries a page, as RGW answers them."""

    def __init__(self, objects, page=2, uploads=()):
        self.objects = dict(sorted(objects.items()))
        self.uploads = sorted((key, "upload-%d" % number, initiated) for number, (key, initiated) in enumerate(uploads))
        self.page = page
        self.queries = []
        self.upload_queries = []

    def __call__(self, url, method=None, headers=None, data=None, **kwargs):
        if not authentic(method, url, headers, data, ACCESS, SECRET):
            raise HTTPError(url, 403, "", {}, io.BytesIO(b"<Error><Code>SignatureDoesNotMatch</Code></Error>"))
        query = {name: values[0] for name, values in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}
        if "uploads" in query:
            return self.list_uploads(method, url, query)
        self.queries.append(query)
        assert method == "GET" and urlsplit(url).path == "/registry" and query["list-type"] == "2"
        keys = [key for key in self.objects if key.startswith(query["prefix"])]
        start = int(query.get("continuation-token", "0"))
        page = keys[start : start + self.page]
        truncated = start + self.page < len(keys)
        body = '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>%s</IsTruncated>' % (
            "true" if truncated else "false"
        )
        body += "".join("<Contents><Key>%s</Key><Size>%d</Size></Contents>" % (key, self.objects[key]) for key in page)
        if truncated:
            body += "<NextContinuationToken>%d</NextContinuationToken>" % (start + self.page)
        return Response((body + "</ListBucketResult>").encode())

    def list_uploads(self, method, url, query):
        self.upload_queries.append(query)
        assert method == "GET" and urlsplit(url).path == "/registry" and query["uploads"] == ""
        after = (query.get("key-marker", ""), query.get("upload-id-marker", ""))
        found = [up for up in self.uploads if up[0].startswith(query["prefix"]) and up[:2] > after]
        page, truncated = found[: self.page], len(found) > self.page
        body = '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>registry</Bucket>'
        body += "<IsTruncated>%s</IsTruncated>" % ("true" if truncated else "false")
        if truncated:
            body += "<NextKeyMarker>%s</NextKeyMarker><NextUploadIdMarker>%s</NextUploadIdMarker>" % page[-1][:2]
        body += "".join(
            "<Upload><Key>%s</Key><UploadId>%s</UploadId><Initiated>%s</Initiated></Upload>" % upload for upload in page
        )
        return Response((body + "</ListMultipartUploadsResult>").encode())


@pytest.fixture(name="run")
def fixture_run(monkeypatch, run_module):
    def run_with(bucket, **params):
        monkeypatch.setattr(_s3, "open_url", bucket)
        args = dict(endpoint=ENDPOINT, access_key=ACCESS, secret_key=SECRET, bucket="registry")
        args.update(params)
        done = run_module(main, args, check_mode=True)
        assert SECRET not in json.dumps(done.result)
        return done

    return run_with


@pytest.mark.parametrize("root", ["", "/files"])
def test_counts_the_blob_store_page_by_page(run, root):
    prefix = root.strip("/") + "/" if root else ""
    blobs = dict(blob_key(prefix, number) for number in range(1, 6))
    objects = {key: 1000 + number for number, key in enumerate(blobs)}
    # Not blobs: a repository's link, an upload in progress, and what lies outside the root.
    objects[prefix + "docker/registry/v2/repositories/app/_layers/sha256/%064x/link" % 1] = 71
    objects[prefix + "docker/registry/v2/repositories/app/_uploads/x/data"] = 5
    objects["elsewhere/docker/registry/v2/blobs/sha256/00/%064x/data" % 9] = 9
    bucket = FakeBucket(objects)
    done = run(bucket, rootdirectory=root)
    assert not done.failed, done.result
    assert done.result["blobs"] == 5 and done.result["bytes"] == sum(range(1000, 1005))
    assert done.result["sizes"] == {digest: objects[key] for key, digest in blobs.items()}
    assert [query["prefix"] for query in bucket.queries] == [prefix + "docker/registry/v2/blobs/"] * 3
    assert [query.get("continuation-token") for query in bucket.queries] == [None, "2", "4"]
    assert done.result["incomplete_uploads"] == 0 and done.result["oldest_incomplete_upload"] is None


@pytest.mark.parametrize("root", ["", "/files"])
def test_counts_incomplete_uploads_by_repository_page_by_page(run, root):
    prefix = root.strip("/") + "/" if root else ""
    upload = prefix + "docker/registry/v2/repositories/%s/_uploads/%s/data"
    uploads = [
        (upload % ("team/app", "a"), "2026-12-07T18:12:41.000Z"),
        (upload % ("team/app", "b"), "2026-12-07T18:12:36.000Z"),
        (upload % ("ci", "c"), "2026-12-07T18:13:00.000Z"),
        # Started outside a repository's uploads, and outside the root: the first counts as other, the second not.
        (prefix + "docker/registry/v2/stray", "2026-12-07T18:14:00.000Z"),
        ("elsewhere/docker/registry/v2/repositories/x/_uploads/d/data", "2026-01-01T00:00:00.000Z"),
    ]
    bucket = FakeBucket({}, uploads=uploads)
    done = run(bucket, rootdirectory=root)
    assert not done.failed, done.result
    assert done.result["incomplete_uploads"] == 4
    assert done.result["incomplete_uploads_by_repository"] == {"team/app": 2, "ci": 1, "other": 1}
    assert done.result["oldest_incomplete_upload"] == "2026-12-07T18:12:36.000Z"
    assert [query["prefix"] for query in bucket.upload_queries] == [prefix + "docker/registry/v2/"] * 2
    assert [query.get("key-marker") for query in bucket.upload_queries] == [None, upload % ("team/app", "a")]


def test_a_refused_listing_says_so_in_one_sentence(run):
    done = run(FakeBucket({}), secret_key="wrong")
    assert done.failed
    assert done.result["msg"] == (
        "Reading the blob store in bucket registry failed: GET %s/registry answered HTTP 403 (SignatureDoesNotMatch)."
        % ENDPOINT
    )
