# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small client of the registry HTTP API (distribution v2 / OCI distribution): catalog and tag lists with their
pagination, manifests by tag or digest in the Docker and OCI media types, small blobs, deletes by digest.

Private to this collection: no compatibility promise outside it.
"""

import base64
import hashlib
import json
import re
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urljoin, urlsplit

from ansible.module_utils.urls import Request, make_context

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
INDEX_TYPES = (DOCKER_LIST, OCI_INDEX)
MANIFEST_TYPES = (DOCKER_MANIFEST, OCI_MANIFEST)
ACCEPT = ", ".join(MANIFEST_TYPES + INDEX_TYPES)

# One entry of a Link header: <target>; rel="next" (distribution writes exactly this form).
NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?')
# What names a repository or a tag in the distribution spec.
REPOSITORY_NAME = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*\Z")


def registry_argument_spec(**options):
    """The connection options every module that talks to a registry's API shares, plus the module's own."""
    spec = dict(
        url=dict(type="str", required=True),
        ca_path=dict(type="path"),
        validate_certs=dict(type="bool", default=True),
        username=dict(type="str"),
        password=dict(type="str", no_log=True),
        timeout=dict(type="int", default=30),
    )
    spec.update(options)
    return spec


def registry_client(params):
    """The RegistryClient of a module's connection options (registry_argument_spec's; client_cert and client_key
    where the module has them)."""
    return RegistryClient(
        params["url"],
        username=params["username"],
        password=params["password"],
        ca_path=params["ca_path"],
        validate_certs=params["validate_certs"],
        timeout=params["timeout"],
        client_cert=params.get("client_cert"),
        client_key=params.get("client_key"),
    )


class RegistryError(Exception):
    """A request that failed; `status` is the HTTP status (None when the registry could not be reached) and `code`
    the first error code of the registry's JSON answer (NAME_UNKNOWN, MANIFEST_UNKNOWN, UNSUPPORTED...)."""

    def __init__(self, message, status=None, code=None):
        super().__init__(message)
        self.status = status
        self.code = code


def _error_code(body):
    try:
        errors = json.loads(body.decode("utf-8", "replace")).get("errors") or []
        return errors[0].get("code") if errors else None
    except (ValueError, AttributeError):
        return None


class RegistryClient:
    """One registry: `url` is its base (https://registry.example.com:5000); credentials go as Basic auth."""

    def __init__(
        self,
        url,
        username=None,
        password=None,
        ca_path=None,
        validate_certs=True,
        timeout=30,
        client_cert=None,
        client_key=None,
    ):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RegistryError("url must be http:// or https:// and name a host, not %r" % url)
        self.base = "%s://%s%s" % (parts.scheme, parts.netloc, parts.path.rstrip("/"))
        self.headers = {}
        if username is not None or password is not None:
            token = base64.b64encode(("%s:%s" % (username or "", password or "")).encode("utf-8"))
            self.headers["Authorization"] = "Basic " + token.decode("ascii")
        # One TLS context for every request (building one loads the trust store, which costs more than a request).
        # A replica behind mutual TLS answers only a client with a certificate (its own, for a check on its host).
        context = make_context(
            cafile=ca_path, validate_certs=validate_certs, client_cert=client_cert, client_key=client_key
        )
        self.opener = Request(timeout=timeout, follow_redirects="none", use_netrc=False, context=context)
        self.requests = []

    def request(self, method, path, accept=None, authorized=True, sink=None):
        """(status, headers with lower-case names, body) of one request to `path` (under the base, or absolute);
        RegistryError for any answer outside 2xx. A redirect (blobs on a storage with redirects) is followed
        once, without the credentials, which belong to the registry only. With `sink`, the body goes to it in
        pieces of 1 MiB (a layer need not fit in memory) and comes back empty."""
        url = path if "://" in path else self.base + path
        headers = dict(self.headers) if authorized else {}
        if accept:
            headers["Accept"] = accept
        self.requests.append((method, url))
        try:
            response = self.opener.open(method, url, headers=headers)
            answer = {name.lower(): value for name, value in response.headers.items()}
            if sink is None:
                return response.getcode(), answer, response.read()
            for piece in iter(lambda: response.read(1 << 20), b""):
                sink(piece)
            return response.getcode(), answer, b""
        except HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location") and method in ("GET", "HEAD"):
                return self.request(method, urljoin(url, exc.headers["Location"]), accept, False, sink)
            body = exc.read() if hasattr(exc, "read") else b""
            code = _error_code(body) if body else None
            raise RegistryError(
                "%s %s answered HTTP %s%s" % (method, url, exc.code, " (%s)" % code if code else ""),
                status=exc.code,
                code=code,
            ) from exc
        except (URLError, OSError) as exc:
            raise RegistryError("cannot reach %s: %s" % (self.base, getattr(exc, "reason", exc))) from exc

    def get_json(self, path, accept=None):
        status, headers, body = self.request("GET", path, accept)
        try:
            return headers, json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise RegistryError("GET %s answered something that is not JSON" % path, status=status) from exc

    def paged(self, path, key, page_size):
        """Every item of a paginated list (_catalog, tags/list), following Link rel="next" to the end."""
        items = []
        target = "%s?n=%d" % (path, page_size)
        seen = set()
        while target:
            if target in seen:
                raise RegistryError("the registry's pages of %s loop back to %s" % (path, target))
            seen.add(target)
            headers, data = self.get_json(target)
            items.extend(data.get(key) or [])
            found = NEXT_LINK.search(headers.get("link", ""))
            target = urljoin(self.base + path, found.group(1)) if found else None
        return items

    def ping(self):
        """The registry's answer to /v2/: its headers (the Date is the registry's clock)."""
        return self.request("GET", "/v2/")[1]

    def catalog(self, page_size=100):
        return self.paged("/v2/_catalog", "repositories", page_size)

    def tags(self, repository, page_size=100):
        return self.paged("/v2/%s/tags/list" % quote(repository), "tags", page_size)

    def manifest(self, repository, reference):
        """(digest, media type, parsed body) of a manifest or index; the digest is the one the registry names
        (Docker-Content-Digest) and always checked against the body it sent."""
        dummy, headers, body = self.request("GET", "/v2/%s/manifests/%s" % (quote(repository), reference), ACCEPT)
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        named = headers.get("docker-content-digest")
        if named and named.startswith("sha256:") and named != digest:
            raise RegistryError(
                "the manifest %s:%s does not match the digest the registry names" % (repository, reference)
            )
        if reference.startswith("sha256:") and reference != digest:
            raise RegistryError("the manifest %s@%s does not match its digest" % (repository, reference))
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise RegistryError("the manifest %s:%s is not JSON" % (repository, reference)) from exc
        media_type = data.get("mediaType") or headers.get("content-type", "").split(";")[0].strip()
        if not media_type and "manifests" in data:
            media_type = OCI_INDEX
        return digest, media_type, data

    def blob_json(self, repository, digest):
        dummy, dummy, body = self.request("GET", "/v2/%s/blobs/%s" % (quote(repository), digest))
        try:
            return json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise RegistryError("the blob %s@%s is not JSON" % (repository, digest)) from exc

    def delete_manifest(self, repository, digest):
        self.request("DELETE", "/v2/%s/manifests/%s" % (quote(repository), digest))
