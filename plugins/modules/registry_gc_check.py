#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: registry_gc_check
short_description: Prove, through one registry, that a garbage collection kept every tagged image and freed what it said
version_added: 1.0.0
description:
  - Talks to one registry (a replica, on its own port) over its HTTP API after a garbage collection and checks the
    two things the collection promises. Everything the registry still tags is whole - every tag's manifest (each
    platform image of an index) and every blob those reference answer 200. What it deleted is gone - each deleted
    blob answers 404 in the repositories that linked it, and each deleted untagged manifest in its repository.
  - The collection's report (the fact C(registry_server_gc_report) of P(wharf.registry.registry_server#role)'s
    C(gc_run.yml)) names the repositories of the layer links (registry 3.x) and untagged manifests it removed. A
    deleted blob it names no repository for (what a manifest deleted over the API left, or any layer with 2.x,
    which keeps its layer links) is checked in none, since a repository that never linked it answers 404 anyway;
    that it left the storage is what P(wharf.registry.registry_storage_usage#module) proves, before and after.
  - Pushes may go on while it runs. A tag deleted meanwhile is skipped (its list is read again to tell), and a
    deleted blob that answers 200 again is accepted when a tag now references it (pushed again since).
  - Changes nothing; check mode runs it as usual. Fails, with the first problems found, when a check fails.
options:
  layer_links:
    description:
      - The layer links the collection removed, C({repository, digest}) (C(layer_links) of the report); each blob
        must answer 404 in that repository, unless a tag there references it again (pushed again since).
    type: list
    elements: dict
    default: []
  manifests:
    description:
      - The untagged manifests the collection deleted, C({repository, digest}) (C(manifests) of the report); each
        must answer 404 in that repository, unless a tag there references it again.
    type: list
    elements: dict
    default: []
  read_blobs:
    description:
      - Read every referenced blob whole and compare its sha256 with its digest, instead of asking with HEAD.
      - With a blob descriptor cache (Redis, inmemory) the registry may answer a HEAD from the cache, without asking
        the storage; a read always fetches the bytes from the storage.
      - Reads the whole registry's content once per run; for a registry of a few GB.
    type: bool
    default: false
  client_cert:
    description: A client certificate (PEM file on the host) for a registry that requires one (mutual TLS).
    type: path
  client_key:
    description: The key of O(client_cert).
    type: path
  page_size:
    description: Entries per page of the catalog and of each tag list.
    type: int
    default: 100
extends_documentation_fragment:
  - wharf.registry.registry_api
  - wharf.registry.radosgw.info_attributes
author:
  - wharf.registry maintainers (@wharf-registry)
"""

EXAMPLES = r"""
- name: Prove the collection on this replica
  wharf.registry.registry_gc_check:
    url: https://127.0.0.1:5000
    validate_certs: false
    client_cert: /etc/wharf/registry/tls/registry.crt
    client_key: /etc/wharf/registry/tls/registry.key
    username: "{{ registry_server_users[0].name }}"
    password: "{{ registry_server_users[0].password }}"
    layer_links: "{{ registry_server_gc_report.layer_links }}"
    manifests: "{{ registry_server_gc_report.manifests }}"
"""

RETURN = r"""
repositories:
  description: Repositories walked.
  returned: always
  type: int
tags:
  description: Tags whose images were checked whole.
  returned: always
  type: int
manifests:
  description: Manifests read (indexes and their platform images included).
  returned: always
  type: int
blobs:
  description: Distinct repository blobs that answered 200 (O(read_blobs) - read and matched their digest).
  returned: always
  type: int
bytes:
  description: The bytes of those blobs, as the registry states them.
  returned: always
  type: int
gone:
  description: Removed layer links and deleted manifests that answered 404.
  returned: always
  type: int
pushed_again:
  description: Removed links that answered 200 again, each referenced by a tag now (C(repository@digest)).
  returned: always
  type: list
  elements: str
vanished_tags:
  description: Tags deleted while the check ran, skipped.
  returned: always
  type: int
requests:
  description: HTTP requests sent.
  returned: always
  type: int
"""

import hashlib
from urllib.parse import quote

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._registry_api import (
    INDEX_TYPES,
    RegistryError,
    registry_argument_spec,
    registry_client,
)

SHOWN_PROBLEMS = 10


class GcCheck:
    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.problems = []
        self.result = dict(
            changed=False, repositories=0, tags=0, manifests=0, blobs=0, bytes=0, gone=0, vanished_tags=0
        )
        self.checked_blobs = set()
        # Every blob a tag references now, by repository, to tell a blob pushed again from one the cache kept alive.
        self.referenced = {}

    def blob(self, repository, digest, size):
        if (repository, digest) in self.checked_blobs:
            return
        self.checked_blobs.add((repository, digest))
        self.referenced.setdefault(repository, set()).add(digest)
        path = "/v2/%s/blobs/%s" % (quote(repository), digest)
        try:
            if self.params["read_blobs"]:
                hashed = hashlib.sha256()
                self.client.request("GET", path, sink=hashed.update)
                if "sha256:" + hashed.hexdigest() != digest:
                    self.problems.append("%s@%s reads back with another digest" % (repository, digest))
                    return
            else:
                self.client.request("HEAD", path)
        except RegistryError as exc:
            self.problems.append("%s@%s, referenced by a tag, answered %s" % (repository, digest, exc.status))
            return
        self.result["blobs"] += 1
        self.result["bytes"] += size or 0

    def image(self, repository, reference):
        """Check a manifest and what it references; False when it is not found."""
        try:
            digest, media_type, body = self.client.manifest(repository, reference)
        except RegistryError as exc:
            if exc.status == 404:
                return False
            raise
        self.result["manifests"] += 1
        self.referenced.setdefault(repository, set()).add(digest)
        if media_type in INDEX_TYPES:
            for child in body.get("manifests") or []:
                if not self.image(repository, child["digest"]):
                    self.problems.append("%s@%s, in the index %s, is missing" % (repository, child["digest"], digest))
            return True
        for entry in ([body["config"]] if body.get("config") else []) + (body.get("layers") or []):
            self.blob(repository, entry["digest"], entry.get("size"))
        return True

    def walk(self):
        page_size = self.params["page_size"]
        for repository in self.client.catalog(page_size):
            self.result["repositories"] += 1
            try:
                tags = self.client.tags(repository, page_size)
            except RegistryError as exc:
                # A repository whose every tag was deleted since the catalog was read has no tag list.
                if exc.status == 404:
                    continue
                raise
            for tag in tags:
                if self.image(repository, tag):
                    self.result["tags"] += 1
                elif tag in self.client.tags(repository, page_size):
                    self.problems.append("%s:%s is tagged, but its manifest is not found" % (repository, tag))
                else:
                    self.result["vanished_tags"] += 1

    def deleted(self):
        """The removed links that still answer 200, as (repository, digest)."""
        answered = []
        for kind, option in (("blobs", "layer_links"), ("manifests", "manifests")):
            for link in self.params[option]:
                repository, digest = link.get("repository"), link.get("digest")
                if not repository or not digest:
                    self.module.fail_json(msg="%s takes {repository, digest} entries, not %r." % (option, link))
                try:
                    self.client.request("HEAD", "/v2/%s/%s/%s" % (quote(repository), kind, digest))
                except RegistryError as exc:
                    if exc.status == 404:
                        self.result["gone"] += 1
                        continue
                    raise
                answered.append((repository, digest))
        return answered

    def run(self):
        # The deleted first: a push during the walk could bring a deleted blob back only after this point.
        answered = self.deleted()
        self.walk()
        pushed_again = [(name, digest) for name, digest in answered if digest in self.referenced.get(name, ())]
        for name, digest in answered:
            if (name, digest) not in pushed_again:
                self.problems.append("%s@%s, deleted, still answers 200 and no tag references it" % (name, digest))
        self.result["pushed_again"] = sorted("%s@%s" % link for link in pushed_again)
        self.result["requests"] = len(self.client.requests)
        if self.problems:
            self.module.fail_json(
                msg="%d problems after garbage collection on %s: %s%s."
                % (
                    len(self.problems),
                    self.client.base,
                    "; ".join(self.problems[:SHOWN_PROBLEMS]),
                    "; ..." if len(self.problems) > SHOWN_PROBLEMS else "",
                ),
                problems=self.problems,
                **self.result,
            )
        return self.result


def main():
    module = AnsibleModule(
        argument_spec=registry_argument_spec(
            layer_links=dict(type="list", elements="dict", default=[]),
            manifests=dict(type="list", elements="dict", default=[]),
            read_blobs=dict(type="bool", default=False),
            client_cert=dict(type="path"),
            client_key=dict(type="path", no_log=False),
            page_size=dict(type="int", default=100),
        ),
        required_by=dict(client_key=["client_cert"]),
        supports_check_mode=True,
    )
    try:
        client = registry_client(module.params)
        module.exit_json(**GcCheck(module, client).run())
    except RegistryError as exc:
        module.fail_json(msg="Checking the garbage collection failed: %s." % str(exc).rstrip("."), status=exc.status)


if __name__ == "__main__":
    main()
