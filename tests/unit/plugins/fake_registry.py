# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A stand-in for a registry's HTTP API (distribution 3.x) on a loopback port, for the unit tests of
registry_retention.

It keeps repositories, tags, manifests and blobs in memory and answers as the registry answered in
fixtures/registry_api/registry-3.1.2.json (recorded by record.py there): the same error bodies and codes, the same
Link header on every page but the last, the same headers on manifests, Basic auth with the same challenge, 405
UNSUPPORTED where deletes are off, and a delete by digest that removes every tag pointing at the manifest. Tests
build content with `image()` and `index()` and read `requests` (method, path) to see what the module did.
"""

import base64
import hashlib
import json
import os
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

RECORDED = os.path.join(os.path.dirname(__file__), "fixtures", "registry_api", "registry-3.1.2.json")
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DATE = "Tue, 01 Dec 2026 12:00:00 GMT"


def load_recording():
    with open(RECORDED) as handle:
        return json.load(handle)["steps"]


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class FakeRegistry:
    """One registry. `users` {name: password} turns Basic auth on; `delete_enabled` is storage.delete.enabled."""

    def __init__(self, users=None, delete_enabled=True, tls=None):
        self.recorded = load_recording()
        self.users = users or {}
        self.delete_enabled = delete_enabled
        self.repositories = {}
        self.blobs = {}
        self.requests = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        # The certificate names localhost; plain HTTP goes to the address (no name lookup per request).
        self.url = "%s://%s:%d" % (scheme, "localhost" if tls else "127.0.0.1", self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # Content

    def blob(self, data):
        self.blobs[digest(data)] = data
        return {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest(data), "size": len(data)}

    def put_manifest(self, repository, body, media_type, tag=None):
        data = json.dumps(body, sort_keys=True).encode()
        repo = self.repositories.setdefault(repository, {"tags": {}, "manifests": {}})
        repo["manifests"][digest(data)] = (media_type, data)
        if tag:
            repo["tags"][tag] = digest(data)
        return {"mediaType": media_type, "digest": digest(data), "size": len(data)}

    def image(self, repository, tag, created, layers=(), media_type=OCI_MANIFEST):
        """An image of the given layer descriptors (from blob()) and a config with `created` (None: without)."""
        config = {"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers"}, "tag": tag or repository}
        if created is not None:
            config["created"] = created
        described = dict(self.blob(json.dumps(config, sort_keys=True).encode()))
        described["mediaType"] = "application/vnd.oci.image.config.v1+json"
        body = {"schemaVersion": 2, "mediaType": media_type, "config": described, "layers": list(layers)}
        return self.put_manifest(repository, body, media_type, tag)

    def index(self, repository, tag, children, media_type=OCI_INDEX):
        body = {"schemaVersion": 2, "mediaType": media_type, "manifests": list(children)}
        return self.put_manifest(repository, body, media_type, tag)

    def tags(self, repository):
        return sorted(self.repositories[repository]["tags"])

    def deletes(self):
        return [path.rsplit("/", 1)[1] for method, path in self.requests if method == "DELETE"]

    # The HTTP side

    def _error(self, step, status=None, name=None):
        body = json.loads(self.recorded[step]["body"])
        if name is not None:
            body["errors"][0]["detail"] = {"name": name}
        headers = {k: v for k, v in self.recorded[step]["headers"].items() if k == "www-authenticate"}
        return status or self.recorded[step]["status"], headers, json.dumps(body).encode()

    def _page(self, path, key, items, query, extra):
        items = sorted(items)
        last = query.get("last", [None])[0]
        if last is not None:
            items = [item for item in items if item > last]
        size = int(query.get("n", ["100"])[0])
        page = items[:size]
        headers = {"content-type": "application/json"}
        if len(items) > size:
            headers["link"] = '<%s?last=%s&n=%d>; rel="next"' % (path, quote(page[-1], safe=""), size)
        body = dict(extra)
        body[key] = page
        return 200, headers, json.dumps(body).encode()

    def handle(self, method, target, headers):
        self.requests.append((method, target))
        if self.users:
            given = headers.get("Authorization", "")
            expected = [
                "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
                for user, password in self.users.items()
            ]
            if given not in expected:
                return self._error("no_credentials")
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/v2/":
            return 200, {"content-type": "application/json"}, b"{}"
        if path == "/v2/_catalog":
            return self._page(path, "repositories", self.repositories, query, {})
        for suffix in ("/tags/list", "/manifests/", "/blobs/"):
            if suffix in path:
                name, dummy, reference = path[len("/v2/") :].partition(suffix)
                break
        else:
            return 404, {}, b"404 page not found\n"
        repo = self.repositories.get(name)
        if repo is None:
            return self._error("tags_unknown_repository", name=name)
        if suffix == "/tags/list":
            return self._page(path, "tags", repo["tags"], query, {"name": name})
        if suffix == "/blobs/":
            if reference not in self.blobs:
                return 404, {}, b""
            return 200, {"content-type": "application/octet-stream"}, self.blobs[reference]
        found = repo["tags"].get(reference, reference)
        if found not in repo["manifests"]:
            return self._error("manifest_unknown")
        if method == "DELETE":
            if not self.delete_enabled:
                return self._error("delete_disabled")
            if not reference.startswith("sha256:"):
                return self._error("delete_disabled", status=400)
            del repo["manifests"][found]
            repo["tags"] = {tag: value for tag, value in repo["tags"].items() if value != found}
            return 202, {}, b""
        media_type, data = repo["manifests"][found]
        accepted = [value.split(";")[0].strip() for value in headers.get("Accept", "").split(",")]
        if media_type not in accepted:
            return self._error("manifest_unknown")
        return 200, {"content-type": media_type, "docker-content-digest": found}, data

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def date_time_string(self, timestamp=None):
                return DATE

            def _serve(self):
                status, headers, data = fake.handle(self.command, self.path, dict(self.headers))
                self.send_response(status)
                self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_DELETE = _serve

        return Handler
