"""Real-client probes of RGW for the ceph_aio scenarios; prints one JSON document.

rgw_probe.py swift-auth AUTH_URL USER              key in $PROBE_KEY
rgw_probe.py swift-roundtrip AUTH_URL USER CONTAINER   key in $PROBE_KEY: write an object, read it back
rgw_probe.py swift-read AUTH_URL USER CONTAINER        key in $PROBE_KEY: read that object again
rgw_probe.py s3-buckets ENDPOINT ACCESS_KEY         secret in $PROBE_KEY: the bucket names the user sees
"""

import json
import os
import sys
import uuid

import boto3
import botocore.exceptions
import swiftclient
from swiftclient.exceptions import ClientException


def swift(auth_url, user):
    return swiftclient.Connection(authurl=auth_url, user=user, key=os.environ["PROBE_KEY"], retries=0)


def main(mode, *args):
    if mode == "swift-auth":
        try:
            swift(*args).get_auth()
        except ClientException as exc:
            return {"ok": False, "status": exc.http_status}
        return {"ok": True}
    if mode == "swift-roundtrip":
        auth_url, user, container = args
        conn = swift(auth_url, user)
        body = uuid.uuid4().hex.encode()
        conn.put_object(container, "probe.txt", body)
        read = conn.get_object(container, "probe.txt")[1]
        return {"written": body.decode(), "read_back": read.decode()}
    if mode == "swift-read":
        auth_url, user, container = args
        return {"read_back": swift(auth_url, user).get_object(container, "probe.txt")[1].decode()}
    if mode == "s3-buckets":
        endpoint, access = args
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=access,
            aws_secret_access_key=os.environ["PROBE_KEY"],
            region_name="default",
        )
        try:
            return {"ok": True, "buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]]}
        except botocore.exceptions.ClientError as exc:
            return {"ok": False, "code": exc.response["Error"]["Code"]}
    raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    json.dump(main(*sys.argv[1:]), sys.stdout)
