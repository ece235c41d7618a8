"""Delete a manifest and a layer through a registry address, then read both again many times.

Behind a round-robin balancer every read lands on another replica in turn, so a replica that still serves what
was deleted shows up as a 200 among the 404s. Prints one JSON object with every status code seen.

    deleted_reads.py REGISTRY REPOSITORY TAG READS
"""

import json
import sys
import urllib.error
import urllib.request

MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def request(method, url, accept=MANIFEST_TYPES):
    req = urllib.request.Request(url, method=method, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def reads(url, count):
    return [request(method, url)[0] for _round in range(count) for method in ("HEAD", "GET")]


def main(registry, repository, tag, count):
    base = "http://%s/v2/%s" % (registry, repository)
    status, headers, body = request("GET", "%s/manifests/%s" % (base, tag))
    if status != 200:
        sys.exit("GET %s/manifests/%s answered %s" % (base, tag, status))
    manifest = "%s/manifests/%s" % (base, headers["Docker-Content-Digest"])
    blob = "%s/blobs/%s" % (base, json.loads(body)["layers"][0]["digest"])
    # Every replica reads both once at least, so each has them in whatever cache it keeps.
    before = reads(manifest, 4) + reads(blob, 4)
    result = {"before": before, "manifest_delete": request("DELETE", manifest)[0]}
    result["manifest_after"] = reads(manifest, count)
    result["blob_delete"] = request("DELETE", blob)[0]
    result["blob_after"] = reads(blob, count)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
