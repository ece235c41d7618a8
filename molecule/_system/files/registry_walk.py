"""Talk to a registry over its HTTP API as this host's Docker client does, and print one line of JSON.

The address is reached the way Docker on this host reaches it: HTTPS verified with /etc/docker/certs.d/REGISTRY/ca.crt
where that exists (registry_client puts the CA there), else plain HTTP; with the Basic credentials of its docker
login in /root/.docker/config.json, if any.

  registry_walk.py REGISTRY image REPOSITORY TAG    the image's manifest digest and the digests of its blobs
  registry_walk.py REGISTRY walk                    pull every tag of every repository by digest: each manifest by
                                                    its digest (an index's platform manifests too) and every blob it
                                                    names, checking that the bytes hash to the digest
  registry_walk.py REGISTRY delete REPOSITORY DIGEST  delete a manifest; prints the status code
  registry_walk.py REGISTRY upload REPOSITORY       start a blob upload; prints the status code
  registry_walk.py REGISTRY abandon REPOSITORY COUNT  COUNT pushes killed mid-layer: each starts a blob upload, sends
                                                    12 MiB of the 24 MiB its PATCH announces (more than the s3
                                                    driver's 10 MiB chunk) and drops the connection; prints the
                                                    status of each upload's start
  registry_walk.py REGISTRY push REPOSITORY TAG...  push one small image per tag, all sharing a 1 MiB layer, each
                                                    with a layer of its own and a config `created` one minute after
                                                    the previous tag's; prints {tag: manifest digest}
  registry_walk.py REGISTRY tags REPOSITORY         every tag of the repository, sorted
  registry_walk.py REGISTRY deleted REPOSITORY TAG READS
                                                    delete the tag's manifest and its first layer, then read both
                                                    READS times each (HEAD and GET): behind a round-robin balancer
                                                    every read lands on another replica in turn, so a replica that
                                                    still serves what was deleted shows up as a 200 among the 404s

walk prints repositories, tags, manifests, blobs and bytes read, and failures (what could not be read or did not
match its digest); it exits 0 either way, the caller judges.
"""

import hashlib
import http.client
import json
import os
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request

OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
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
        ca = f"/etc/docker/certs.d/{address}/ca.crt"
        self.context = ssl.create_default_context(cafile=ca) if os.path.exists(ca) else None
        self.base = f"{'https' if self.context else 'http'}://{address}/v2/"
        self.headers = {}
        try:
            with open("/root/.docker/config.json", encoding="utf-8") as config:
                login = json.load(config).get("auths", {}).get(address, {}).get("auth")
        except FileNotFoundError:
            login = None
        if login:
            self.headers["Authorization"] = "Basic " + login

    def get(self, path, accept=None, method="GET"):
        headers = dict(self.headers, **({"Accept": accept} if accept else {}))
        request = urllib.request.Request(self.base + path, headers=headers, method=method)
        return urllib.request.urlopen(request, timeout=60, context=self.context)

    def status(self, method, path, accept=None):
        try:
            with self.get(path, accept, method) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def manifest(self, repository, reference):
        with self.get(f"{repository}/manifests/{reference}", ACCEPT) as response:
            body = response.read()
            return response.headers.get("Docker-Content-Digest"), body

    def send(self, method, url, data, headers):
        request = urllib.request.Request(url, data=data, method=method, headers=dict(self.headers, **headers))
        with urllib.request.urlopen(request, timeout=60, context=self.context) as response:
            response.read()
            return response

    def put_blob(self, repository, data):
        """Upload a blob monolithically (POST for a session, PUT with the bytes and their digest); its descriptor."""
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        session = self.send("POST", f"{self.base}{repository}/blobs/uploads/", None, {})
        location = urllib.parse.urljoin(self.base, session.headers["Location"])
        separator = "&" if "?" in location else "?"
        self.send("PUT", f"{location}{separator}digest={digest}", data, {"Content-Type": "application/octet-stream"})
        return {"digest": digest, "size": len(data)}

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


def push(registry, repository, tags):
    shared = registry.put_blob(repository, b"shared layer of " + repository.encode() + b"\0" * (1 << 20))
    digests = {}
    for number, tag in enumerate(tags):
        created = f"2026-01-01T{number // 60:02d}:{number % 60:02d}:00Z"
        config = json.dumps({"architecture": "amd64", "os": "linux", "created": created, "rootfs": {"type": "layers"}})
        layers = [shared, registry.put_blob(repository, f"own layer of {repository}:{tag}\n".encode() * 4096)]
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": dict(registry.put_blob(repository, config.encode()), mediaType=OCI_CONFIG),
            "layers": [dict(layer, mediaType=OCI_LAYER) for layer in layers],
        }
        body = json.dumps(manifest).encode()
        registry.send(
            "PUT",
            f"{registry.base}{repository}/manifests/{tag}",
            body,
            {"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
        )
        digests[tag] = "sha256:" + hashlib.sha256(body).hexdigest()
    return digests


def abandon(registry, repository, count):
    parts = urllib.parse.urlsplit(registry.base)
    connection = http.client.HTTPSConnection if registry.context else http.client.HTTPConnection
    options = {"context": registry.context} if registry.context else {}
    piece = os.urandom(1 << 20)
    started = []
    for _push in range(int(count)):
        session = registry.send("POST", f"{registry.base}{repository}/blobs/uploads/", None, {})
        started.append(session.status)
        location = urllib.parse.urlsplit(session.headers["Location"])
        patch = connection(parts.hostname, parts.port, timeout=60, **options)
        patch.putrequest("PATCH", f"{location.path}?{location.query}")
        for name, value in dict(registry.headers, **{"Content-Type": "application/octet-stream"}).items():
            patch.putheader(name, value)
        patch.putheader("Content-Length", str(24 << 20))
        patch.endheaders()
        for _piece in range(12):
            patch.send(piece)
        patch.sock.close()
    return started


def deleted(registry, repository, tag, count):
    def reads(path, times=int(count)):
        return [registry.status(method, path, ACCEPT) for _round in range(times) for method in ("HEAD", "GET")]

    found = image(registry, repository, tag)
    manifest = f"{repository}/manifests/{found['manifest']}"
    blob = f"{repository}/blobs/{found['blobs'][1]}"
    # Every replica reads both once at least, so each has them in whatever cache it keeps.
    result = {"before": reads(manifest, 4) + reads(blob, 4)}
    result["manifest_delete"] = registry.status("DELETE", manifest)
    result["manifest_after"] = reads(manifest)
    result["blob_delete"] = registry.status("DELETE", blob)
    result["blob_after"] = reads(blob)
    return result


def main():
    registry, mode, args = Registry(sys.argv[1]), sys.argv[2], sys.argv[3:]
    if mode == "image":
        result = image(registry, *args)
    elif mode == "walk":
        result = walk(registry)
    elif mode == "delete":
        result = registry.status("DELETE", f"{args[0]}/manifests/{args[1]}")
    elif mode == "upload":
        result = registry.status("POST", f"{args[0]}/blobs/uploads/")
    elif mode == "abandon":
        result = abandon(registry, *args)
    elif mode == "push":
        result = push(registry, args[0], args[1:])
    elif mode == "tags":
        result = sorted(registry.paged(f"{args[0]}/tags/list?n=100", "tags"))
    else:
        result = deleted(registry, *args)
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
