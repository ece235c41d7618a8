# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A minimal S3 client for the RADOS Gateway: AWS Signature Version 4 over Ansible's own HTTP client.

boto3 is not needed on the managed host (Debian 12's is older than amazon.aws accepts); the registry only needs
bucket-level calls, and those are a signed HEAD, PUT or DELETE on a path-style URL.

Private to this collection: no compatibility promise outside it.
"""

import copy
import datetime
import hashlib
import hmac
import os
import re
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit

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

    def request(self, method, path, query=(), with_headers=False):
        """Send one signed request with an empty body; return (status, body) for 2xx (with_headers: and the answer's
        headers, names in lower case), raise S3Error otherwise.

        query as canonical_query takes it. Its values may be secrets: no message names them, only the path.
        """
        amz_date = self._now().strftime("%Y%m%dT%H%M%SZ")
        headers = {
            "Host": self.host,
            "x-amz-date": amz_date,
            "x-amz-content-sha256": EMPTY_SHA256,
            "Authorization": sign_v4(
                method, self.host, path, {}, self.access_key, self.secret_key, self.region, amz_date, query=query
            ),
        }
        url = self.endpoint + quote(path, safe="/~")
        shown = url + ("?" + "&".join(sorted({name for name, value in query if value is None})) if query else "")
        if query:
            url += "?" + canonical_query(query)
        try:
            response = open_url(
                url,
                method=method,
                headers=headers,
                data=b"" if method in ("PUT", "POST") else None,
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

    def create_bucket(self, bucket):
        self.request("PUT", "/" + bucket)

    def delete_bucket(self, bucket):
        self.request("DELETE", "/" + bucket)
