"""Real-client probes of RGW for the ceph_aio scenarios; prints one JSON document.

rgw_probe.py swift-auth AUTH_URL USER              key in $PROBE_KEY
rgw_probe.py swift-roundtrip AUTH_URL USER CONTAINER   key in $PROBE_KEY: write an object, read it back
rgw_probe.py swift-read AUTH_URL USER CONTAINER        key in $PROBE_KEY: read that object again
rgw_probe.py s3-buckets ENDPOINT ACCESS_KEY         secret in $PROBE_KEY: the bucket names the user sees
rgw_probe.py s3-start-uploads ENDPOINT ACCESS_KEY BUCKET COUNT   secret in $PROBE_KEY: COUNT multipart uploads of
             one part each, never completed (a push killed half way)
rgw_probe.py s3-user-rule ENDPOINT ACCESS_KEY BUCKET     secret in $PROBE_KEY: a lifecycle rule of the user's own
             (the bucket's only rule)
rgw_probe.py s3-lifecycle ENDPOINT ACCESS_KEY BUCKET     secret in $PROBE_KEY: the bucket's lifecycle rules (parsed,
             and each as RGW's XML) and its incomplete uploads
rgw_probe.py s3-await-aborted ENDPOINT ACCESS_KEY BUCKET TIMEOUT   secret in $PROBE_KEY: run radosgw-admin lc process
             until the bucket has no incomplete uploads or TIMEOUT seconds have passed
"""

import json
import os
import re
import subprocess
import sys
import time
import uuid

import boto3
import botocore.exceptions
import swiftclient
from swiftclient.exceptions import ClientException


def swift(auth_url, user):
    return swiftclient.Connection(authurl=auth_url, user=user, key=os.environ["PROBE_KEY"], retries=0)


def s3(endpoint, access):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access,
        aws_secret_access_key=os.environ["PROBE_KEY"],
        region_name="default",
    )


USER_RULE = {"ID": "user-expire-tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 30}}


def lifecycle(client, bucket):
    """(rules as boto3 parses them, each rule's XML as RGW sent it)."""
    sent = []
    client.meta.events.register(
        "after-call.s3.GetBucketLifecycleConfiguration",
        lambda http_response, **kwargs: sent.append(http_response.content.decode()),
    )
    try:
        rules = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    except botocore.exceptions.ClientError as exc:
        if exc.response["Error"]["Code"] != "NoSuchLifecycleConfiguration":
            raise
        return [], []
    return rules, re.findall(r"<Rule>.*?</Rule>", sent[0], re.DOTALL)


def incomplete_uploads(client, bucket):
    return [upload["Key"] for upload in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


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
        try:
            return {"ok": True, "buckets": [b["Name"] for b in s3(*args).list_buckets()["Buckets"]]}
        except botocore.exceptions.ClientError as exc:
            return {"ok": False, "code": exc.response["Error"]["Code"]}
    if mode == "s3-start-uploads":
        endpoint, access, bucket, count = args
        client = s3(endpoint, access)
        for number in range(int(count)):
            key = "docker/registry/v2/repositories/probe/_uploads/%d/data" % number
            upload = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
            client.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"x" * 1024)
        return {"uploads": incomplete_uploads(client, bucket)}
    if mode == "s3-user-rule":
        endpoint, access, bucket = args
        client = s3(endpoint, access)
        client.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [USER_RULE]})
        rules, rules_xml = lifecycle(client, bucket)
        return {"rule": rules[0], "rule_xml": rules_xml[0]}
    if mode == "s3-lifecycle":
        endpoint, access, bucket = args
        client = s3(endpoint, access)
        rules, rules_xml = lifecycle(client, bucket)
        return {"rules": rules, "rules_xml": rules_xml, "uploads": incomplete_uploads(client, bucket)}
    if mode == "s3-await-aborted":
        endpoint, access, bucket, timeout = args
        client = s3(endpoint, access)
        started = time.monotonic()
        rounds = 0
        while True:
            remaining = incomplete_uploads(client, bucket)
            waited = time.monotonic() - started
            if not remaining or waited > float(timeout):
                return {"remaining": remaining, "seconds": round(waited, 1), "lc_process_runs": rounds}
            subprocess.run(["radosgw-admin", "lc", "process"], check=True, capture_output=True)
            rounds += 1
            time.sleep(2)
    raise SystemExit("unknown mode " + mode)


if __name__ == "__main__":
    json.dump(main(*sys.argv[1:]), sys.stdout)
