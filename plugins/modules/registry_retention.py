#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: registry_retention
short_description: Delete the images a registry's retention policies do not keep, by manifest digest
version_added: 1.0.0
description:
  - Talks to a registry (CNCF distribution 2.8 or 3.x, or any registry of the OCI distribution API) over its HTTP
    API, reads every tag of the repositories O(policies) name, decides which tags the policies keep, and deletes
    the manifests of the others by digest (C(DELETE /v2/<repository>/manifests/<digest>)). The registry must allow
    deletes (C(storage.delete.enabled)).
  - Blobs are left to the registry's garbage collection, which frees those no remaining manifest references. Run
    retention first, then the collection (the C(wharf.registry.gc) playbook); the collection never needs
    C(--delete-untagged) for what retention deleted.
  - A dry run by default; O(delete=true) deletes. Everything is read and decided before the first delete, and any
    bad input (a regular expression that does not compile, a negative O(policies[].keep_last), a bad age, a
    repository named in O(repositories) that the registry does not have) fails the module with one sentence before
    anything is deleted.
  - B(What a rule keeps.) Every rule whose O(policies[].repositories) matches a repository's whole name applies to
    it; a tag is kept when any of them keeps it, and a repository no rule matches is not touched. A rule keeps the
    O(policies[].keep_last) most recent tags of those matching O(policies[].tag_pattern), every tag matching
    O(policies[].keep_tags), every tag matching O(policies[].tag_pattern) that is younger than
    O(policies[].keep_younger_than), and every tag whose digest is in O(keep_digests). Tags no rule keeps are
    deleted.
  - B(A digest a kept tag shares is never deleted.) Deleting a manifest removes every tag that points at it, so a
    tag that shares its digest with a kept tag is kept too (reported as such). The platform images of a kept index
    (manifest list) are never deleted either.
  - B(Recency) is the C(created) time in the image's config blob, which the image's builder wrote and every
    registry serves unchanged; the registry API exposes no push time (distribution keeps none that it serves). For
    an index (manifest list, OCI image index) it is the newest C(created) of its platform images, so an index is as
    recent as its latest build. An image without C(created) counts as the oldest; ties go by tag name, the higher
    one being the more recent.
  - The platform images of a deleted index are deleted with it, unless a kept manifest or O(keep_digests) still
    references them.
options:
  policies:
    description: The retention rules; see the description for how they combine.
    type: list
    elements: dict
    required: true
    suboptions:
      repositories:
        description:
          - A Python regular expression that a repository's whole name must match for the rule to apply.
        type: str
        required: true
      tag_pattern:
        description:
          - A regular expression the whole tag must match to count for O(policies[].keep_last) and
            O(policies[].keep_younger_than).
        type: str
        default: .*
      keep_last:
        description:
          - Keep the N most recent tags matching O(policies[].tag_pattern); V(0) keeps none by count.
          - A rule must set at least one of O(policies[].keep_last), O(policies[].keep_tags) and
            O(policies[].keep_younger_than) (V(0) to delete on purpose).
        type: int
      keep_tags:
        description:
          - Keep every tag whose whole name matches this regular expression (releases, C(latest), branches).
        type: str
      keep_younger_than:
        description:
          - Keep every tag matching O(policies[].tag_pattern) whose image is younger than this age, a number and a
            unit (V(s), V(m), V(h), V(d), V(w)) or several, like V(7d), V(12h) or V(1d12h). Ages are measured
            against the C(Date) the registry sends, so the clock of the host that runs the module does not matter.
        type: str
  repositories:
    description:
      - Only these repositories (each must exist, or the module fails). Without it, every repository of
        the catalog that a rule matches (C(/v2/_catalog), all its pages).
    type: list
    elements: str
  keep_digests:
    description:
      - Manifest digests (C(sha256:...)) that must not be deleted in any repository, such as what runs in
        production; the tags that point at them are kept. One list for all rules, since a digest names the same
        content in every repository.
    type: list
    elements: str
    default: []
  delete:
    description:
      - V(false) only reports what the policies would delete; V(true) deletes it.
    type: bool
    default: false
  page_size:
    description: Entries asked for per page of the catalog and of the tag lists.
    type: int
    default: 100
extends_documentation_fragment:
  - wharf.registry.registry_api
  - wharf.registry.radosgw.attributes
attributes:
  check_mode:
    details:
      - Reads everything a real run reads and reports exactly what it would delete; deletes nothing.
  diff_mode:
    details:
      - The tags of each repository before and after, for the repositories where something is deleted.
notes:
  - O(url) is the registry as its clients reach it (the balancer, for a deployment of this collection), and
    O(username) needs the right to delete there (a writer of the balancer's policy).
  - RV(repositories[].bytes) counts the config and layer blobs of the deleted manifests that no kept manifest of
    the same repository references. It is an upper bound of what the garbage collection frees, since another
    repository may still reference a blob (the registry stores each blob once).
  - Manifests that carry no tag before the run (pushed by digest, or untagged by a later push) are not listed by
    the registry API and are left alone.
  - Deletes happen one manifest at a time after all reads; a run that fails part way reports what it had deleted.
  - Retention works on a live registry; the garbage collection that follows must run in a read-only window.
seealso:
  - module: wharf.registry.htpasswd
author:
  - wharf.registry maintainers (@wharf-registry)
"""

EXAMPLES = r"""
- name: Report what "10 most recent ci-* and every release" would delete (dry run)
  wharf.registry.registry_retention:
    url: https://registry.example.com
    ca_path: /etc/wharf/pki/ca.pem
    username: ci
    password: "{{ vault_registry_ci_password }}"
    policies:
      - repositories: app(/.*)?
        tag_pattern: ci-.*
        keep_last: 10
        keep_tags: v?[0-9]+\.[0-9]+\.[0-9]+|latest
  register: retention

- name: Show what a run would free
  ansible.builtin.debug:
    msg: "{{ retention.tags_deleted }} tags, {{ retention.bytes | human_readable }} at most"

- name: Delete, keeping two weeks of everything and what production runs
  wharf.registry.registry_retention:
    url: https://registry.example.com
    ca_path: /etc/wharf/pki/ca.pem
    username: ci
    password: "{{ vault_registry_ci_password }}"
    policies:
      - repositories: .*
        keep_last: 5
        keep_younger_than: 14d
        keep_tags: latest|release-.*
    keep_digests: "{{ production_digests }}"
    delete: true
"""

RETURN = r"""
deleted:
  description:
    - Whether the manifests were deleted; V(false) for a dry run (O(delete=false)) and in check mode, where the
      lists below say what a run would delete.
  returned: always
  type: bool
  sample: true
tags_deleted:
  description: Number of tags deleted (or that a run would delete) in all repositories.
  returned: always
  type: int
  sample: 50
digests_deleted:
  description: Number of manifests deleted (or that a run would delete) in all repositories.
  returned: always
  type: int
  sample: 50
bytes:
  description: The sum of RV(repositories[].bytes); an upper bound of what the garbage collection frees.
  returned: always
  type: int
  sample: 104857600
repositories:
  description: One entry per repository a rule matched, in name order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The repository.
      type: str
      sample: app
    kept_tags:
      description: The tags kept, most recent first.
      type: list
      elements: str
      sample: [ci-60, ci-59, v1.2.0]
    kept_why:
      description:
        - For each kept tag the first reason that keeps it, one of C(keep_last), C(keep_tags),
          C(keep_younger_than), C(keep_digests) or C(shares its digest with a kept tag).
      type: dict
      sample: {ci-60: keep_last, v1.2.0: keep_tags}
    tags_deleted:
      description: The tags deleted (or that a run would delete), most recent first.
      type: list
      elements: str
      sample: [ci-50, ci-49]
    digests_deleted:
      description:
        - The manifest digests deleted (or that a run would delete), in the order of deletion; an index comes before
          its platform images.
      type: list
      elements: str
      sample: [sha256:0f4cfcc9562baf52a4c7279bf43cb00c7a9e0f3c6d63f7aecaa4a69c8f4d33e3]
    bytes:
      description:
        - Bytes of the config and layer blobs of the deleted manifests that no kept manifest of this repository
          references; an upper bound of what the garbage collection frees (another repository may hold them too).
      type: int
      sample: 52428800
"""

import calendar
import email.utils
import re
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.wharf.registry.plugins.module_utils._registry_api import (
    INDEX_TYPES,
    RegistryError,
    registry_argument_spec,
    registry_client,
)

AGE = re.compile(r"(?:[0-9]+[smhdw])+\Z")
AGE_PART = re.compile(r"([0-9]+)([smhdw])")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DIGEST = re.compile(r"sha256:[0-9a-f]{64}\Z")
# RFC 3339 as image builders write it: fractions of any length, Z or an offset.
CREATED = re.compile(r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(\.\d+)?(?:[Zz]|([+-])(\d\d):?(\d\d))?\Z")
SHARED = "shares its digest with a kept tag"


def parse_age(text):
    """Seconds of an age like 7d, 12h or 1d12h; None when it is not one."""
    if not isinstance(text, str) or not AGE.match(text.strip()):
        return None
    return sum(int(number) * UNIT_SECONDS[unit] for number, unit in AGE_PART.findall(text))


def parse_created(value):
    """Seconds since the epoch of an image config's `created`, or None when there is none or it does not parse."""
    found = CREATED.match(value.strip()) if isinstance(value, str) else None
    if not found:
        return None
    year, month, day, hour, minute, second, fraction, sign, off_hours, off_minutes = found.groups()
    seconds = calendar.timegm((int(year), int(month), int(day), int(hour), int(minute), int(second), 0, 0, 0))
    seconds += float(fraction) if fraction else 0.0
    if sign:
        offset = int(off_hours) * 3600 + int(off_minutes) * 60
        seconds += -offset if sign == "+" else offset
    return seconds


class Retention:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.client = None
        self.rules = []
        self.images = {}

    def fail(self, msg, **extra):
        self.module.fail_json(msg=msg, **extra)

    def compile(self, number, option, pattern):
        try:
            return re.compile(pattern)
        except re.error as exc:
            self.fail("policies[%d].%s is not a regular expression that compiles: %s." % (number, option, exc))

    def check_input(self):
        if self.params["page_size"] < 1:
            self.fail("page_size must be 1 or more.")
        for digest in self.params["keep_digests"]:
            if not DIGEST.match(digest):
                self.fail("keep_digests holds %r, which is not a digest like sha256:<64 hex digits>." % digest)
        for number, policy in enumerate(self.params["policies"]):
            rule = {
                "repositories": self.compile(number, "repositories", policy["repositories"]),
                "tag_pattern": self.compile(number, "tag_pattern", policy["tag_pattern"]),
                "keep_tags": None,
                "keep_last": policy["keep_last"],
                "keep_younger_than": None,
            }
            if policy["keep_tags"] is not None:
                rule["keep_tags"] = self.compile(number, "keep_tags", policy["keep_tags"])
            if rule["keep_last"] is not None and rule["keep_last"] < 0:
                self.fail("policies[%d].keep_last must be 0 or more, not %d." % (number, rule["keep_last"]))
            if policy["keep_younger_than"] is not None:
                rule["keep_younger_than"] = parse_age(policy["keep_younger_than"])
                if rule["keep_younger_than"] is None:
                    self.fail(
                        "policies[%d].keep_younger_than is %r, not an age like 7d, 12h or 1d12h (units s, m, h, d, w)."
                        % (number, policy["keep_younger_than"])
                    )
            if rule["keep_last"] is None and rule["keep_tags"] is None and rule["keep_younger_than"] is None:
                self.fail(
                    "policies[%d] keeps nothing: set keep_last (0 to delete every tag it matches), keep_tags or "
                    "keep_younger_than." % number
                )
            self.rules.append(rule)

    def rules_for(self, repository):
        return [rule for rule in self.rules if rule["repositories"].fullmatch(repository)]

    def repositories(self):
        """(name, tags) of every repository to work on, all read before anything is decided."""
        page_size = self.params["page_size"]
        named = self.params["repositories"]
        if named is None:
            names = sorted(name for name in self.client.catalog(page_size) if self.rules_for(name))
        else:
            names = sorted(set(named))
            for name in names:
                if not self.rules_for(name):
                    self.fail("repository %s matches no rule of policies." % name)
        found = []
        for name in names:
            try:
                tags = self.client.tags(name, page_size)
            except RegistryError as exc:
                if exc.status != 404:
                    raise
                if named is not None:
                    self.fail("repository %s does not exist in the registry." % name)
                tags = []  # in the catalog, gone since: nothing to do
            found.append((name, tags))
        return found

    def image(self, repository, reference):
        """The manifest behind a tag or digest: {digest, index, created, blobs {digest: size}, children}."""
        digest, media_type, data = self.client.manifest(repository, reference)
        key = (repository, digest)
        if key in self.images:
            return self.images[key]
        image = {"digest": digest, "index": media_type in INDEX_TYPES, "created": None, "blobs": {}, "children": []}
        if image["index"]:
            for entry in data.get("manifests") or []:
                try:
                    child = self.image(repository, entry["digest"])
                except RegistryError as exc:
                    if exc.status == 404:  # listed but not in the repository: nothing to keep or delete
                        continue
                    raise
                image["children"].append(child["digest"])
                if child["created"] is not None and (image["created"] is None or child["created"] > image["created"]):
                    image["created"] = child["created"]
        else:
            config = data.get("config") or {}
            for entry in [config] + list(data.get("layers") or []):
                if entry.get("digest"):
                    image["blobs"][entry["digest"]] = int(entry.get("size") or 0)
            if config.get("digest"):
                try:
                    image["created"] = parse_created(self.client.blob_json(repository, config["digest"]).get("created"))
                except (RegistryError, AttributeError):
                    image["created"] = None
        self.images[key] = image
        return image

    def closure(self, repository, digests):
        """The digests given and the platform images of those that are indexes."""
        found = set()
        pending = list(digests)
        while pending:
            digest = pending.pop()
            if digest in found:
                continue
            found.add(digest)
            image = self.images.get((repository, digest))
            if image:
                pending.extend(image["children"])
        return found

    def decide(self, repository, tags, now):
        rules = self.rules_for(repository)
        tagged = {tag: self.image(repository, tag) for tag in tags}
        # Most recent first; an image without created is the oldest, ties go by tag name.
        order = sorted(tags, key=lambda tag: (tagged[tag]["created"] is not None, tagged[tag]["created"] or 0, tag))
        order.reverse()
        keep_digests = set(self.params["keep_digests"])
        why = {}
        for rule in rules:
            matching = [tag for tag in order if rule["tag_pattern"].fullmatch(tag)]
            if rule["keep_last"]:
                for tag in matching[: rule["keep_last"]]:
                    why.setdefault(tag, "keep_last")
            for tag in order:
                if rule["keep_tags"] is not None and rule["keep_tags"].fullmatch(tag):
                    why.setdefault(tag, "keep_tags")
            if rule["keep_younger_than"] is not None:
                for tag in matching:
                    created = tagged[tag]["created"]
                    if created is not None and now - created < rule["keep_younger_than"]:
                        why.setdefault(tag, "keep_younger_than")
        for tag in order:
            if tagged[tag]["digest"] in keep_digests:
                why.setdefault(tag, "keep_digests")
        kept = self.closure(repository, [tagged[tag]["digest"] for tag in why] + list(keep_digests))
        for tag in order:
            if tagged[tag]["digest"] in kept:
                why.setdefault(tag, SHARED)
        doomed_tags = [tag for tag in order if tag not in why]
        roots = []
        for tag in doomed_tags:
            if tagged[tag]["digest"] not in roots:
                roots.append(tagged[tag]["digest"])
        # Each index before its platform images (at any depth), none that a kept manifest references.
        digests = []
        pending = list(reversed(roots))
        while pending:
            digest = pending.pop()
            if digest not in kept and digest not in digests:
                digests.append(digest)
                pending.extend(reversed(self.images[(repository, digest)]["children"]))
        kept_blobs = set()
        for digest in kept:
            image = self.images.get((repository, digest))
            if image:
                kept_blobs.update(image["blobs"])
        freed = {}
        for digest in digests:
            for blob, size in self.images[(repository, digest)]["blobs"].items():
                if blob not in kept_blobs:
                    freed[blob] = size
        return {
            "name": repository,
            "kept_tags": [tag for tag in order if tag in why],
            "kept_why": why,
            "tags_deleted": doomed_tags,
            "digests_deleted": digests,
            "bytes": sum(freed.values()),
            "_tags": order,
        }

    def delete(self, plans):
        done = []
        for plan in plans:
            for digest in plan["digests_deleted"]:
                try:
                    self.client.delete_manifest(plan["name"], digest)
                except RegistryError as exc:
                    if exc.status == 404:  # deleted since it was read (or with its index): nothing to do
                        continue
                    hint = ""
                    if exc.status == 405 or exc.code == "UNSUPPORTED":
                        hint = " The registry does not allow deletes (storage.delete.enabled)."
                    elif exc.status in (401, 403):
                        hint = " The user may not delete (a writer's credentials are needed)."
                    self.fail(
                        "Deleting %s@%s failed: %s.%s Deleted before it: %d manifests."
                        % (plan["name"], digest, exc, hint, len(done)),
                        status=exc.status,
                        deleted_digests=done,
                    )
                done.append("%s@%s" % (plan["name"], digest))

    def run(self):
        self.check_input()
        params = self.params
        try:
            self.client = registry_client(params)
        except RegistryError as exc:
            self.fail(str(exc))
        # The registry's clock, so ages do not depend on the host the module runs on.
        parsed = email.utils.parsedate_tz(self.client.ping().get("date") or "")
        now = email.utils.mktime_tz(parsed) if parsed else time.time()
        plans = [self.decide(name, tags, now) for name, tags in self.repositories()]
        deleting = params["delete"] and any(plan["digests_deleted"] for plan in plans)
        if deleting and not self.module.check_mode:
            self.delete(plans)
        diff = DifferenceTracker()
        for plan in plans:
            tags = plan.pop("_tags")
            if params["delete"] and plan["digests_deleted"]:
                diff.add(plan["name"], tags, plan["kept_tags"])
        result = dict(
            changed=bool(deleting),
            deleted=bool(deleting and not self.module.check_mode),
            tags_deleted=sum(len(plan["tags_deleted"]) for plan in plans),
            digests_deleted=sum(len(plan["digests_deleted"]) for plan in plans),
            bytes=sum(plan["bytes"] for plan in plans),
            repositories=plans,
        )
        if self.module._diff:
            result["diff"] = diff.diff()
        return result


def main():
    module = AnsibleModule(
        argument_spec=registry_argument_spec(
            policies=dict(
                type="list",
                elements="dict",
                required=True,
                options=dict(
                    repositories=dict(type="str", required=True),
                    tag_pattern=dict(type="str", default=".*"),
                    keep_last=dict(type="int"),
                    keep_tags=dict(type="str"),
                    keep_younger_than=dict(type="str"),
                ),
            ),
            repositories=dict(type="list", elements="str"),
            keep_digests=dict(type="list", elements="str", default=[]),
            delete=dict(type="bool", default=False),
            page_size=dict(type="int", default=100),
        ),
        supports_check_mode=True,
    )
    try:
        module.exit_json(**Retention(module).run())
    except RegistryError as exc:
        hint = ""
        if exc.status == 401:
            hint = " The registry refused the credentials (username, password)."
        elif exc.status is None and "CERTIFICATE" in str(exc).upper():
            hint = " Check ca_path."
        module.fail_json(msg="%s.%s" % (str(exc).rstrip("."), hint), status=exc.status, code=exc.code)


if __name__ == "__main__":
    main()
