# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How the fake RGWs of the unit tests check a request's SigV4 signature: with botocore's signer, an implementation
independent of the collection's, on the request as it arrived, and against the fake's own clock as RGW does."""

import datetime
import hashlib
import re

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTHORIZATION = re.compile(r"^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$")
# RGW refuses a request whose x-amz-date is further than this from its own clock (RequestTimeTooSkewed).
MAX_SKEW = datetime.timedelta(minutes=15)


def botocore_signature(method, url, headers, body, access_key, secret_key, region):
    """(credential, signed headers, signature) as botocore computes them for the request as sent."""
    request = AWSRequest(
        method=method, url=url, data=body, headers={k: v for k, v in headers.items() if k.lower() != "authorization"}
    )
    request.context["timestamp"] = headers["x-amz-date"]
    auth = S3SigV4Auth(Credentials(access_key, secret_key), "s3", region)
    string_to_sign = auth.string_to_sign(request, auth.canonical_request(request))
    return (
        access_key + "/" + auth.credential_scope(request),
        auth.signed_headers(auth.headers_to_sign(request)),
        auth.signature(string_to_sign, request),
    )


def authentic(method, url, headers, data, access_key, secret_key, region="default"):
    """Whether RGW would accept the request: its date near the fake's own clock, its payload hash right, and its
    Authorization header the one botocore computes for what arrived."""
    headers = {name.lower(): value for name, value in headers.items()}
    found = AUTHORIZATION.match(headers.get("authorization", ""))
    if not found:
        return False
    # Like RGW, sign over the headers the client says it signed (an HTTP client adds others on its way).
    headers = {name: value for name, value in headers.items() if name in found.group(2).split(";") + ["authorization"]}
    sent = datetime.datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    if abs(datetime.datetime.now(datetime.UTC) - sent) > MAX_SKEW:
        return False
    if headers["x-amz-content-sha256"] != hashlib.sha256(data or b"").hexdigest():
        return False
    return found.groups() == botocore_signature(method, url, headers, data, access_key, secret_key, region)
