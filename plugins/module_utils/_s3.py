# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A minimal S3 client for the RADOS Gateway: AWS Signature Version 4 over Ansible's own HTTP client.

boto3 is not needed on the managed host (Debian 12's is older than amazon.aws accepts); the registry only needs
bucket-level calls, and those are a signed HEAD, GET, PUT or DELETE on a path-style URL.

Private to this collection: no compatibility promise outside it.
"""

import base64
import copy
import datetime
import hashlib
import hmac
import os
import re
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit
from xml.etree import ElementTree

from ansible.module_utils.urls import open_url

# Documented once in the doc fragment wharf.registry.s3.
S3_CONNECTION_SPEC = dict(
    endpoint=dict(type="str", required=True),
    access_key=dict(type="str", required=True, no_log=True),
    secret_key=dict(type="str", required=True, no_log=True),
    region=dict(type="str", default="default"),
    validate_certs=dict(type="bool", default=True),
    ca_content=dict(type="str"),
    timeout=dict(type="int", default=30),
)

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
# S3 answers errors in XML, the Admin Ops API in JSON.
ERROR_CODE = re.compile(r'<Code>([^<]+)</Code>|"Code"\s*:\s*"([^"]+)"')
S3_XML_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
LIFECYCLE = [("lifecycle", None)]


def s3_argument_spec(**module_options):
    spec = copy.deepcopy(S3_CONNECTION_SPEC)
    spec.update(module_options)
    return spec


def s3_ca_path(module):
    """A file holding the ca_content option's PEM, in the module's own temporary directory (removed when the module
    ends), or None to trust the host's CAs. The hand-offs carry CAs as text, and a file written before preflight
    would be a change."""
    content = module.params.get("ca_content")
    if not content:
        return None
    path = os.path.join(module.tmpdir, "s3-ca.crt")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(content)
    return path


def s3_client(module):
    """The S3Client of a module's S3_CONNECTION_SPEC options."""
    params = module.params
    return S3Client(
        params["endpoint"],
        params["access_key"],
        params["secret_key"],
        region=params["region"],
        validate_certs=params["validate_certs"],
        timeout=params["timeout"],
        ca_path=s3_ca_path(module),
    )


class S3Error(Exception):
    """One failed S3 call: what was asked, the HTTP status and S3's error code, never the credentials."""

    def __init__(self, msg, status=None, code=None):
        super().__init__(msg)
        self.msg = msg
        self.status = status
        self.code = code


def _hmac(key, text):
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def canonical_query(query):
    """The query string of `query`, (name, value) pairs (value None for a bare subresource such as `?subuser`), as
    SigV4 canonicalises it: every byte but A-Z a-z 0-9 - _ . ~ percent-encoded, pairs sorted. The request sends
    exactly this string, so what is signed is what arrives."""
    pairs = sorted(
        (quote(name, safe="-_.~"), quote("" if value is None else value, safe="-_.~")) for name, value in query
    )
    return "&".join("%s=%s" % pair for pair in pairs)


def sign_v4(method, host, path, headers, access_key, secret_key, region, amz_date, payload_hash=EMPTY_SHA256, query=()):
    """The Authorization header value for one request (AWS Signature Version 4, service s3).

    headers are the ones to sign besides host, x-amz-date and x-amz-content-sha256; query as canonical_query takes it.
    """
    signed = {name.lower(): " ".join(str(value).split()) for name, value in headers.items()}
    signed.update({"host": host, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash})
    names = sorted(signed)
    canonical_request = "\n".join(
        [
            method,
            quote(path, safe="/~"),
            canonical_query(query),
            "".join("%s:%s\n" % (name, signed[name]) for name in names),
            ";".join(names),
            payload_hash,
        ]
    )
    date = amz_date[:8]
    scope = "%s/%s/s3/aws4_request" % (date, region)
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            scope,
            hashlib.sha256(canonical_request.encode("utf-8")).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret_key).encode("utf-8"), date), region), "s3"), "aws4_request")
    signature = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return "AWS4-HMAC-SHA256 Credential=%s/%s,SignedHeaders=%s,Signature=%s" % (
        access_key,
        scope,
        ";".join(names),
        signature,
    )


class S3Client:
    """Signed calls against one endpoint, path-style (RGW serves buckets at http://RGW:PORT/BUCKET)."""

    def __init__(
        self,
        endpoint,
        access_key,
        secret_key,
        region="default",
        validate_certs=True,
        timeout=30,
        now=None,
        ca_path=None,
    ):
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise S3Error("endpoint must be an http:// or https:// URL, e.g. http://rgw.example.com:7480.")
        self.endpoint = "%s://%s" % (parts.scheme, parts.netloc)
        self.host = parts.netloc
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self._now = now or (lambda: datetime.datetime.now(datetime.timezone.utc))

    def request(self, method, path, query=(), with_headers=False, body=b"", body_headers=None):
        """Send one signed request; return (status, body) for 2xx (with_headers: and the answer's headers, names in
        lower case), raise S3Error otherwise.

        query as canonical_query takes it. Its values may be secrets: no message names them, only the path.
        body_headers describe body (Content-MD5, Content-Type) and are signed with it.
        """
        amz_date = self._now().strftime("%Y%m%dT%H%M%SZ")
        payload_hash = hashlib.sha256(body).hexdigest()
        body_headers = body_headers or {}
        headers = dict(body_headers)
        headers.update(
            {
                "Host": self.host,
                "x-amz-date": amz_date,
                "x-amz-content-sha256": payload_hash,
                "Authorization": sign_v4(
                    method,
                    self.host,
                    path,
                    body_headers,
                    self.access_key,
                    self.secret_key,
                    self.region,
                    amz_date,
                    payload_hash=payload_hash,
                    query=query,
                ),
            }
        )
        url = self.endpoint + quote(path, safe="/~")
        # Subresources (?lifecycle) name the call; values may be secrets or mere paging.
        subresources = sorted({name for name, value in query if value is None})
        shown = url + ("?" + "&".join(subresources) if subresources else "")
        if query:
            url += "?" + canonical_query(query)
        try:
            response = open_url(
                url,
                method=method,
                headers=headers,
                data=body if method in ("PUT", "POST") else None,
                validate_certs=self.validate_certs,
                ca_path=self.ca_path,
                timeout=self.timeout,
                follow_redirects="none",
            )
            if with_headers:
                headers = {name.lower(): value for name, value in response.headers.items()}
                return response.getcode(), response.read(), headers
            return response.getcode(), response.read()
        except HTTPError as exc:
            body = exc.read() if hasattr(exc, "read") else b""
            found = ERROR_CODE.search(body.decode("utf-8", "replace")) if body else None
            code = (found.group(1) or found.group(2)) if found else None
            raise S3Error(
                "%s %s answered HTTP %s%s" % (method, shown, exc.code, " (%s)" % code if code else ""),
                status=exc.code,
                code=code,
            ) from exc
        except (URLError, OSError) as exc:
            raise S3Error("cannot reach %s: %s" % (self.endpoint, getattr(exc, "reason", exc))) from exc

    def bucket_exists(self, bucket):
        """True or False; a 403 is told apart (bad credentials or someone else's bucket) by asking for the list."""
        try:
            self.request("HEAD", "/" + bucket)
            return True
        except S3Error as exc:
            if exc.status == 404:
                return False
            if exc.status == 403:
                # HEAD answers carry no error code: list the user's buckets to learn whether the keys are wrong.
                self.request("GET", "/")
                raise S3Error(
                    "bucket %s exists but belongs to another user." % bucket, status=403, code="AccessDenied"
                ) from exc
            raise

    def object_size(self, bucket, key):
        """The size HEAD gives for an object: for a Swift large object RGW answers the size of the whole."""
        dummy, dummy, headers = self.request("HEAD", "/%s/%s" % (bucket, key), with_headers=True)
        return int(headers.get("content-length", 0))

    def list_objects(self, bucket, prefix=""):
        """(key, size) of every object under prefix, following ListObjectsV2's continuation tokens."""
        token = None
        while True:
            query = [("list-type", "2"), ("prefix", prefix), ("max-keys", "1000")]
            if token:
                query.append(("continuation-token", token))
            root = ElementTree.fromstring(self.request("GET", "/" + bucket, query=query)[1])
            for element in root.iter():
                element.tag = element.tag.rpartition("}")[2]
            for entry in root.findall("Contents"):
                yield entry.findtext("Key"), int(entry.findtext("Size") or 0)
            token = root.findtext("NextContinuationToken")
            if root.findtext("IsTruncated") != "true" or not token:
                return

    def list_multipart_uploads(self, bucket, prefix=""):
        """(key, initiated) of every multipart upload under prefix that was neither completed nor aborted, following
        ListMultipartUploads' key and upload-id markers. initiated is the ISO 8601 time S3 gives."""
        markers = []
        while True:
            query = [("uploads", None), ("prefix", prefix), ("max-uploads", "1000")] + markers
            root = ElementTree.fromstring(self.request("GET", "/" + bucket, query=query)[1])
            for element in root.iter():
                element.tag = element.tag.rpartition("}")[2]
            for upload in root.findall("Upload"):
                yield upload.findtext("Key"), upload.findtext("Initiated")
            markers = [
                ("key-marker", root.findtext("NextKeyMarker") or ""),
                ("upload-id-marker", root.findtext("NextUploadIdMarker") or ""),
            ]
            if root.findtext("IsTruncated") != "true" or not markers[0][1]:
                return

    def create_bucket(self, bucket):
        self.request("PUT", "/" + bucket)

    def delete_bucket(self, bucket):
        self.request("DELETE", "/" + bucket)

    def get_lifecycle(self, bucket):
        """The bucket's lifecycle configuration (XML as RGW sends it), or None when it has none."""
        try:
            return self.request("GET", "/" + bucket, query=LIFECYCLE)[1]
        except S3Error as exc:
            if exc.code == "NoSuchLifecycleConfiguration":
                return None
            raise

    def put_lifecycle(self, bucket, document):
        # S3 refuses PUT ?lifecycle without Content-MD5; the digest only guards the transfer.
        digest = hashlib.md5(document, usedforsecurity=False).digest()
        self.request(
            "PUT",
            "/" + bucket,
            query=LIFECYCLE,
            body=document,
            body_headers={"Content-MD5": base64.b64encode(digest).decode("ascii"), "Content-Type": "application/xml"},
        )

    def delete_lifecycle(self, bucket):
        self.request("DELETE", "/" + bucket, query=LIFECYCLE)


def lifecycle_rules(document):
    """The Rule elements of a lifecycle configuration, their tags without S3's XML namespace, otherwise as sent."""
    root = ElementTree.fromstring(document)
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    return root.findall("Rule")


def lifecycle_document(rules):
    """A lifecycle configuration holding rules (Elements as lifecycle_rules gives them), as XML bytes."""
    root = ElementTree.Element("LifecycleConfiguration", xmlns=S3_XML_NAMESPACE)
    root.extend(rules)
    return ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)


def element_data(element):
    """An element as plain data, to compare and show lifecycle rules: its text, or a dict of its non-empty children
    (a list where a tag repeats). Empty elements are left out, as S3 reads <Prefix/> and no Prefix alike."""
    if not len(element):
        return (element.text or "").strip()
    data = {}
    for child in element:
        value = element_data(child)
        if value in ("", {}):
            continue
        if child.tag not in data:
            data[child.tag] = value
        elif isinstance(data[child.tag], list):
            data[child.tag].append(value)
        else:
            data[child.tag] = [data[child.tag], value]
    return data
