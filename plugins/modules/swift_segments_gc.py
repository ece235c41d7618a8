#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: swift_segments_gc
short_description: Find and delete the registry's Swift segment sets that no manifest object references
version_added: 1.0.0
description:
  - The swift storage driver of registry 2.x (CNCF distribution 2.8) stores every blob as a Swift dynamic large
    object, DLO; its segments are objects C(<prefix>/segments/<3 hex>/<more hex>/<16 digits>), one set per blob
    upload, and a zero-byte manifest object under C(<prefix>/files/) names the set in its C(X-Object-Manifest)
    header. When something deletes only the manifest (registry 3.x on S3 deleting an adopted blob, an upload
    interrupted before its manifest was written), the set is left behind and keeps its bytes.
  - Lists the container once (all pages), reads the headers of every zero-byte object (the ones that can be
    manifests), and groups the segment objects into sets. A set is B(orphaned) when no manifest object in the
    container points at it and its newest segment is at least O(min_age) seconds old.
  - A dry run by default; O(delete=true) deletes the orphaned sets' objects one by one.
options:
  container:
    description:
      - The container the registry's swift driver writes to (its C(container) setting).
    type: str
    required: true
  prefix:
    description:
      - The swift driver's C(prefix) setting; segments are under C(<prefix>/segments/) with leading slashes
        removed, exactly as the driver names them. V('') (the driver's default) means C(segments/).
    type: str
    default: ''
  delete:
    description:
      - V(false) only reports the orphaned sets; V(true) deletes them.
    type: bool
    default: false
  min_age:
    description:
      - Seconds. A set whose newest segment is younger is kept even when no manifest points at it, because the
        driver writes a blob's segments before its manifest, so an upload in flight looks orphaned until it ends.
      - Ages are measured against the C(Date) the Swift server sends, so the clock of the host that runs the
        module does not matter.
    type: int
    default: 86400
  max_report:
    description:
      - How many orphaned set names RV(orphaned_sets) lists at most.
    type: int
    default: 20
extends_documentation_fragment:
  - wharf.registry.swift
  - wharf.registry.radosgw.attributes
notes:
  - A set is kept when any manifest object in O(container), wherever its name, points at it, at any of its segments
    or at a prefix of it (a DLO is every object whose name starts with the manifest's prefix). Manifests that point
    at another container protect nothing here and cause nothing to be read there. Manifests in B(other)
    containers are not read; the registry never writes such manifests.
  - Only objects named as the driver names segments are considered; other objects under the segments path are
    counted in RV(unrecognised_objects) and never touched.
  - After the move to registry 3.x on S3 nothing writes segments or manifests any more. Against a registry 2.x
    that is still writing, O(min_age) is what keeps uploads in flight safe; run it in a read-only window to be sure.
  - Stale uploads of registry 2.x (C(files/docker/registry/v2/repositories/*/_uploads/)) have manifests and so keep
    their sets until they are purged.
  - The cost is one listing of the container (one request per page of it), one C(HEAD) per zero-byte object (about
    one per blob of the registry) and one C(DELETE) per deleted segment.
seealso:
  - module: wharf.registry.swift_container
author:
  - wharf.registry maintainers (@wharf-registry)
"""

EXAMPLES = r"""
- name: Report the segment sets a registry GC left behind (dry run)
  wharf.registry.swift_segments_gc:
    auth_url: http://ceph1.example.com:7480/auth/v1
    user: registry:swift
    key: "{{ vault_registry_swift_secret }}"
    container: registry
  register: sweep

- name: Show what a sweep would free
  ansible.builtin.debug:
    msg: "{{ sweep.orphaned.sets }} sets, {{ sweep.orphaned.bytes | human_readable }} orphaned"

- name: Delete them, leaving anything uploaded in the last two days alone
  wharf.registry.swift_segments_gc:
    auth_url: http://ceph1.example.com:7480/auth/v1
    user: registry:swift
    key: "{{ vault_registry_swift_secret }}"
    container: registry
    prefix: /registry-a
    min_age: 172800
    delete: true
"""

RETURN = r"""
segments_path:
  description: The name prefix of the segment objects looked at, from O(prefix).
  returned: always
  type: str
  sample: segments/
manifests:
  description: Number of manifest objects (with C(X-Object-Manifest)) found in the container.
  returned: always
  type: int
  sample: 118
referenced:
  description: Segment sets a manifest points at, which are kept.
  returned: always
  type: dict
  contains: &totals
    sets:
      description: Number of segment sets.
      type: int
      sample: 3
    objects:
      description: Number of segment objects in them.
      type: int
      sample: 7
    bytes:
      description: Bytes of those segment objects.
      type: int
      sample: 73400320
young:
  description: Segment sets no manifest points at but whose newest segment is younger than O(min_age); kept.
  returned: always
  type: dict
  contains: *totals
orphaned:
  description: Segment sets no manifest points at, old enough to delete; what O(delete=true) removes.
  returned: always
  type: dict
  contains: *totals
deleted:
  description:
    - What this run deleted (in check mode, what it would delete); zeros in a dry run.
    - On a failure part way, what was deleted before it.
  returned: always
  type: dict
  contains: *totals
orphaned_sets:
  description: The first O(max_report) orphaned sets by name, each the name prefix of its segment objects.
  returned: always
  type: list
  elements: str
  sample: [segments/3f2/9c1e0b7a4d6f8e2c1b0a9d8e7f6c5b4a3d2e1f0]
unrecognised_objects:
  description: Objects under RV(segments_path) not named as the driver names segments; never touched.
  returned: always
  type: int
  sample: 0
"""

import bisect
import calendar
import email.utils
import re
import time
from urllib.parse import unquote

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.wharf.registry.plugins.module_utils._swift import (
    ClientException,
    SwiftError,
    check_container_name,
    connect,
    run_and_exit,
    swift_argument_spec,
)

# What follows <prefix>/segments/ in a segment's name: the set, hex split after 3 digits, then the part number. The
# driver hex-encodes the blob's path, 32 random bytes and their SHA-1 (Go's Sum appends), so a set's length varies.
SEGMENT_NAME = re.compile(r"([0-9a-f]{3}/[0-9a-f]+)/[0-9]{16}\Z")


def totals(sets=()):
    return {
        "sets": len(sets),
        "objects": sum(len(s["objects"]) for s in sets),
        "bytes": sum(sum(s["objects"].values()) for s in sets),
    }


def listing_time(value):
    """Seconds since the epoch of a listing's last_modified (Swift: microseconds, RGW: milliseconds and Z)."""
    return calendar.timegm(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S"))


class SegmentSweep:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.container = self.params["container"]
        # The driver's own rule: <prefix>/segments/ with leading slashes trimmed.
        self.segments_path = (self.params["prefix"] + "/segments/").lstrip("/")
        self.conn = None

    def check_input(self):
        check_container_name(self.module, self.container)
        for option in ("min_age", "max_report"):
            if self.params[option] < 0:
                self.module.fail_json(msg="%s must be 0 or more." % option)

    def list_container(self):
        try:
            return self.conn.get_container(self.container, full_listing=True)
        except ClientException as exc:
            if exc.http_status == 404:
                raise SwiftError("container %s does not exist." % self.container, 404) from exc
            raise

    def manifest_targets(self, objects):
        """Object name prefixes in this container that manifests point at, and the number of manifests."""
        targets = set()
        manifests = 0
        for obj in objects:
            if obj["bytes"] != 0:
                continue
            try:
                value = self.conn.head_object(self.container, obj["name"]).get("x-object-manifest")
            except ClientException as exc:
                if exc.http_status == 404:  # deleted since the listing
                    continue
                raise
            if value is None:
                continue
            manifests += 1
            # Swift and RGW URL-decode the header; keep the raw form too so neither reading can lose a set.
            for form in (value, unquote(value)):
                container, dummy, prefix = form.partition("/")
                if container == self.container:
                    targets.add(prefix)
        return targets, manifests

    def segment_sets(self, objects):
        sets = {}
        unrecognised = 0
        for obj in objects:
            name = obj["name"]
            if not name.startswith(self.segments_path):
                continue
            match = SEGMENT_NAME.match(name, len(self.segments_path))
            if not match:
                unrecognised += 1
                continue
            set_name = self.segments_path + match.group(1)
            entry = sets.setdefault(set_name, {"name": set_name, "objects": {}, "newest": 0})
            entry["objects"][name] = obj["bytes"]
            entry["newest"] = max(entry["newest"], listing_time(obj["last_modified"]))
        return sets, unrecognised

    def referenced_sets(self, sets, targets):
        """Names of the sets a manifest prefix reaches: one set if it is at or below a set, all sets it begins."""
        names = sorted(sets)
        referenced = set()
        for target in targets:
            # At or below a set: the set itself, as the driver's manifests name it, or one of its segments.
            parts = target[len(self.segments_path) :].split("/") if target.startswith(self.segments_path) else []
            if len(parts) >= 2 and self.segments_path + "/".join(parts[:2]) in sets:
                referenced.add(self.segments_path + "/".join(parts[:2]))
            index = bisect.bisect_left(names, target)
            while index < len(names) and names[index].startswith(target):
                referenced.add(names[index])
                index += 1
        return referenced

    def delete(self, orphans):
        """Delete the sets' objects in name order; on an error, fail saying what was deleted before it."""
        deleted = totals()
        for entry in orphans:
            before = deleted["objects"]
            for name, size in sorted(entry["objects"].items()):
                try:
                    self.conn.delete_object(self.container, name)
                except ClientException as exc:
                    if exc.http_status == 404:  # gone since the listing: not deleted by this run
                        continue
                    self.module.fail_json(
                        msg="Deleting segment %s failed (HTTP %s) after %d objects (%d bytes) were deleted."
                        % (name, exc.http_status, deleted["objects"], deleted["bytes"]),
                        status=exc.http_status,
                        deleted=deleted,
                    )
                deleted["objects"] += 1
                deleted["bytes"] += size
            if deleted["objects"] > before:
                deleted["sets"] += 1
        return deleted

    def run(self):
        self.check_input()
        self.conn = connect(self.module)
        headers, objects = self.list_container()
        date = email.utils.parsedate_tz(headers.get("date", ""))
        now = email.utils.mktime_tz(date) if date else time.time()
        targets, manifests = self.manifest_targets(objects)
        sets, unrecognised = self.segment_sets(objects)
        referenced = self.referenced_sets(sets, targets)
        young = []
        orphans = []
        for name in sorted(set(sets) - referenced):
            entry = sets[name]
            (young if now - entry["newest"] < self.params["min_age"] else orphans).append(entry)
        orphaned = totals(orphans)
        deleted = totals()
        if self.params["delete"] and orphans:
            deleted = dict(orphaned) if self.module.check_mode else self.delete(orphans)
        diff = DifferenceTracker()
        diff.add("orphaned", orphaned, {key: orphaned[key] - deleted[key] for key in orphaned})
        result = dict(
            changed=deleted["objects"] > 0,
            segments_path=self.segments_path,
            manifests=manifests,
            referenced=totals([sets[name] for name in referenced]),
            young=totals(young),
            orphaned=orphaned,
            deleted=deleted,
            orphaned_sets=[entry["name"] for entry in orphans[: self.params["max_report"]]],
            unrecognised_objects=unrecognised,
        )
        if self.module._diff:
            result["diff"] = diff.diff()
        return result


def main():
    module = AnsibleModule(
        argument_spec=swift_argument_spec(
            container=dict(type="str", required=True),
            prefix=dict(type="str", default=""),
            delete=dict(type="bool", default=False),
            min_age=dict(type="int", default=86400),
            max_report=dict(type="int", default=20),
        ),
        supports_check_mode=True,
    )
    run_and_exit(module, SegmentSweep(module).run)


if __name__ == "__main__":
    main()
