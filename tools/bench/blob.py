#!/usr/bin/env python3
"""Time blob GETs and monolithic uploads against registries and against RGW's own S3 API, with raw HTTP.

Runs on one client host with only the Python standard library. A GET reads the body in 1 MiB slices and throws it
away, so the client does no more than a socket read (docker pull decompresses and extracts, about 100 MB/s here,
and hides the registry tier). Every round makes fresh random blobs and uploads one to each registry with one POST
and one PUT (the monolithic upload); the blob uploaded through the first registry is then read by 1, 4 and 8
processes at once through every registry and, with a presigned URL, straight from the bucket that registry
stores it in. The other registries either share that storage (the balancer and one of its replicas) or hold
their own copy (the filesystem registry gets its own upload of the same bytes). Prints median seconds until the
last reader is done, the aggregate MB/s, and each row's throughput as a fraction of RGW's own (× RGW).

    blob.py SIZE_MB ROUNDS S3_ENDPOINT S3_BUCKET NAME=HOST:PORT [NAME=HOST:PORT ...]

The S3 access key, secret key and region come on standard input as JSON ({"access_key": ..., "secret_key": ...,
"region": ...}), never the command line or the environment (which a -vvv log of the task shows). The first NAME must
store its blobs in S3_BUCKET (registry 3.x's s3 driver layout, no rootdirectory). With WHARF_BENCH_LOOP=NAME:SECONDS
it only GETs the blob through NAME, one at a time, for SECONDS (the load under which the profile is taken) and prints
the count.
"""

import datetime
import hashlib
import hmac
import http.client
import json
import multiprocessing
import os
import statistics
import sys
import time
import urllib.parse

SLICE = 1024 * 1024
READERS = (1, 4, 8)
# access_key, secret_key and region, read from standard input by main().
S3_KEYS = {}


def request(url, method="GET", body=None, headers=None):
    """One request on a new connection; returns (status, headers, bytes read); the body is read and discarded."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=300)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        buffer = bytearray(SLICE)
        total = 0
        while count := answer.readinto(buffer):
            total += count
        return answer.status, answer.headers, total
    finally:
        connection.close()


def presign(method, endpoint, bucket, key, expires=3600):
    """A SigV4 query-string URL for one S3 request (path style, unsigned payload), as boto3's generate_presigned_url."""
    access, secret = S3_KEYS["access_key"], S3_KEYS["secret_key"]
    region = S3_KEYS.get("region") or "us-east-1"
    parts = urllib.parse.urlsplit(endpoint)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    scope = f"{stamp[:8]}/{region}/s3/aws4_request"
    path = f"/{bucket}/" + urllib.parse.quote(key, safe="/~")
    params = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{access}/{scope}",
        "X-Amz-Date": stamp,
        "X-Amz-Expires": str(expires),
        "X-Amz-SignedHeaders": "host",
    }
    query = "&".join(f"{k}={urllib.parse.quote(v, safe='~')}" for k, v in sorted(params.items()))
    canonical = "\n".join([method, path, query, f"host:{parts.netloc}\n", "host", "UNSIGNED-PAYLOAD"])
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, digest])
    key = f"AWS4{secret}".encode()
    for part in (stamp[:8], region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{parts.scheme}://{parts.netloc}{path}?{query}&X-Amz-Signature={signature}"


def upload(registry, repository, blob, digest):
    """Seconds for a monolithic upload: POST for a session, PUT of the whole blob with its digest."""
    start = time.monotonic()
    status, headers, _ = request(f"http://{registry}/v2/{repository}/blobs/uploads/", "POST")
    if status != 202:
        raise SystemExit(f"POST an upload to {registry}: HTTP {status}")
    location = urllib.parse.urljoin(f"http://{registry}/", headers["Location"])
    location += ("&" if "?" in location else "?") + urllib.parse.urlencode({"digest": digest})
    status, _, _ = request(location, "PUT", blob, {"Content-Type": "application/octet-stream"})
    if status != 201:
        raise SystemExit(f"PUT the blob to {registry}: HTTP {status}")
    return time.monotonic() - start


def fetch(job):
    """One GET after the start barrier; the caller times from the barrier to the last reader's end."""
    url, size, barrier = job
    barrier.wait()
    status, _, total = request(url)
    if status != 200 or total != size:
        raise SystemExit(f"GET {url.split('?')[0]}: HTTP {status}, {total} of {size} bytes")


def together(url, size, readers):
    """Seconds until READERS processes, started at once, have each read the whole blob."""
    barrier = multiprocessing.Barrier(readers + 1)
    processes = [multiprocessing.Process(target=fetch, args=((url, size, barrier),)) for _ in range(readers)]
    for process in processes:
        process.start()
    barrier.wait()
    start = time.monotonic()
    for process in processes:
        process.join()
        if process.exitcode:
            raise SystemExit(f"a reader of {url.split('?')[0]} failed")
    return time.monotonic() - start


def main():
    size_mb, rounds, endpoint, bucket = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    registries = dict(pair.split("=", 1) for pair in sys.argv[5:])
    names = list(registries)
    size = size_mb * 1024 * 1024
    repository = "wharf-bench/blob"

    def blob_url(name, digest):
        if name == "rgw":
            key = f"docker/registry/v2/blobs/sha256/{digest[7:9]}/{digest[7:]}/data"
            return presign("GET", endpoint, bucket, key)
        return f"http://{registries[name]}/v2/{repository}/blobs/{digest}"

    loop = os.environ.get("WHARF_BENCH_LOOP")
    if loop:
        name, seconds = loop.rsplit(":", 1)
        blob = os.urandom(size)
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        upload(registries[name], repository, blob, digest)
        print(f"uploaded {digest}", flush=True)
        count, end = 0, time.monotonic() + float(seconds)
        while time.monotonic() < end:
            request(blob_url(name, digest))
            count += 1
        print(f"{count} GETs of {size_mb} MB through {name} in {seconds} s")
        return

    S3_KEYS.update(json.load(sys.stdin))

    gets = {(name, n): [] for name in ["rgw", *names] for n in READERS}
    puts = {name: [] for name in ["rgw", *names]}
    for _ in range(rounds):
        # Fresh bytes for every upload: a registry that already holds a digest skips the commit and measures nothing.
        for name in names:
            blob = os.urandom(size)
            puts[name].append(upload(registries[name], repository, blob, "sha256:" + hashlib.sha256(blob).hexdigest()))
        blob = os.urandom(size)
        key = f"wharf-bench/put-{time.time_ns()}"
        start = time.monotonic()
        status, _, _ = request(presign("PUT", endpoint, bucket, key), "PUT", blob)
        puts["rgw"].append(time.monotonic() - start)
        if status != 200:
            raise SystemExit(f"S3 PUT to {endpoint}: HTTP {status}")
        request(presign("DELETE", endpoint, bucket, key), "DELETE")
        # The blob every row reads: uploaded through the first registry (its bucket), and the same bytes to every
        # registry on other storage so that each reads its own copy.
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        for name in names:
            upload(registries[name], repository, blob, digest)
        del blob
        for name in ["rgw", *names]:
            for readers in READERS:
                gets[name, readers].append(together(blob_url(name, digest), size, readers))
        # Each round's raw seconds on the client as well, so a run stopped before the tables still leaves them.
        with open(os.path.expanduser("~/wharf-bench-blob.log"), "a") as log:
            print(
                time.strftime("%FT%TZ", time.gmtime()),
                size_mb,
                {k: v[-1] for k, v in puts.items()},
                {f"{k[0]}/{k[1]}": v[-1] for k, v in gets.items()},
                file=log,
            )

    base = {n: statistics.median(gets["rgw", n]) for n in READERS}
    print(
        f"Blob GET, raw HTTP from one client host: {size_mb} MB blob, N readers at once, median of {rounds} rounds; "
        "seconds until the last is done, aggregate MB/s, × RGW = throughput / RGW S3 GET"
    )
    print(f"{'path':<22}" + "".join(f" {f'{n} s':>7} {f'{n} MB/s':>8} {f'{n} ×':>6}" for n in READERS))
    for name in ["rgw", *names]:
        row = ""
        for n in READERS:
            seconds = statistics.median(gets[name, n])
            row += f" {seconds:7.2f} {n * size_mb / seconds:8.0f} {base[n] / seconds:6.2f}"
        print(f"{'rgw-s3-get' if name == 'rgw' else name:<22}{row}")
    print()
    print(
        f"Blob upload, monolithic (POST + PUT), one client: {size_mb} MB, median of {rounds} rounds; × RGW = "
        "throughput / RGW S3 PUT"
    )
    print(f"{'path':<22} {'s':>7} {'MB/s':>8} {'×':>6}")
    put_base = statistics.median(puts["rgw"])
    for name in ["rgw", *names]:
        seconds = statistics.median(puts[name])
        label = "rgw-s3-put" if name == "rgw" else name
        print(f"{label:<22} {seconds:7.2f} {size_mb / seconds:8.0f} {put_base / seconds:6.2f}")


if __name__ == "__main__":
    main()
