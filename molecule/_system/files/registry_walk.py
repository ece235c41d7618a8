"""Read a registry over its HTTP API (no credentials, plain HTTP) and print one line of JSON.

  registry_walk.py REGISTRY image REPOSITORY TAG   the image's manifest digest and the digests of its blobs
  registry_walk.py REGISTRY walk                   pull every tag of every repository by digest: each manifest by
                                                   its digest (an index's platform manifests too) and every blob it
                                                   names, checking that the bytes hash to the digest

walk prints repositories, tags, manifests, blobs and bytes read, and failures (what could not be read or did not
match its digest); it exits 0 either way, the caller judges.
"""

import hashlib
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


class Registry:
    def __init__(self, address):
        self.base = f"http://{address}/v2/"

    def get(self, path, accept=None):
        request = urllib.request.Request(self.base + path, headers={"Accept": accept} if accept else {})
        return urllib.request.urlopen(request, timeout=60)

    def manifest(self, repository, reference):
        with self.get(f"{repository}/manifests/{reference}", ACCEPT) as response:
            body = response.read()
            return response.headers.get("Docker-Content-Digest"), body

    def paged(self, path, key):
        """Every entry of a paginated list (the Link header names the next page)."""
        while path:
            with self.get(path) as response:
                yield from json.load(response).get(key) or []
                link = response.headers.get("Link", "")
            path = link.split(";")[0].strip("<>").replace("/v2/", "", 1) if link else None


def blobs_of(manifest):
    if "manifests" in manifest:
        return []
    return [manifest["config"]["digest"]] + [layer["digest"] for layer in manifest.get("layers", [])]


def hashed(response):
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: response.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    return "sha256:" + digest.hexdigest(), size


def image(registry, repository, tag):
    digest, body = registry.manifest(repository, tag)
    return {"repository": repository, "tag": tag, "manifest": digest, "blobs": blobs_of(json.loads(body))}


def walk(registry):
    counts = {"repositories": 0, "tags": 0, "manifests": 0, "blobs": 0, "bytes": 0, "failures": []}

    def fail(what, error):
        counts["failures"].append(f"{what}: {error}")

    def pull(repository, reference, want):
        """The manifest reference names (a tag or a digest), then by its digest, then what it names."""
        try:
            digest, body = registry.manifest(repository, reference)
            if want and digest != want:
                return fail(f"{repository}@{want}", f"answered as {digest}")
            by_digest, again = registry.manifest(repository, digest)
        except (urllib.error.URLError, OSError) as error:
            return fail(f"{repository}:{reference}", error)
        if by_digest != digest or "sha256:" + hashlib.sha256(again).hexdigest() != digest:
            return fail(f"{repository}@{digest}", "manifest does not match its digest")
        counts["manifests"] += 1
        manifest = json.loads(again)
        for child in manifest.get("manifests", []):
            pull(repository, child["digest"], child["digest"])
        for blob in blobs_of(manifest):
            try:
                with registry.get(f"{repository}/blobs/{blob}") as response:
                    got, size = hashed(response)
            except (urllib.error.URLError, OSError) as error:
                fail(f"{repository}@{blob}", error)
                continue
            if got != blob:
                fail(f"{repository}@{blob}", f"bytes hash to {got}")
            counts["blobs"] += 1
            counts["bytes"] += size
        return None

    for repository in registry.paged("_catalog?n=1000", "repositories"):
        counts["repositories"] += 1
        try:
            tags = list(registry.paged(f"{urllib.parse.quote(repository)}/tags/list?n=1000", "tags"))
        except urllib.error.HTTPError as error:
            # The catalog keeps a repository whose every tag was deleted; its tag list answers 404 NAME_UNKNOWN.
            if error.code != 404:
                raise
            tags = []
        for tag in tags:
            counts["tags"] += 1
            pull(repository, tag, None)
    return counts


def main():
    registry, mode, args = Registry(sys.argv[1]), sys.argv[2], sys.argv[3:]
    result = image(registry, *args) if mode == "image" else walk(registry)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
