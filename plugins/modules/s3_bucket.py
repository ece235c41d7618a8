#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: s3_bucket
short_description: Make an S3 bucket on the RADOS Gateway exist, or not
version_added: 1.0.0
description:
  - Makes one bucket exist for the user whose S3 keys are given, or removes it, through RGW's S3 API with
    path-style URLs. The registry's s3 storage driver does not create its bucket; this module does.
  - Reads the bucket once (C(HEAD), and C(GET ?lifecycle) with O(abort_incomplete_uploads_days)) and acts only on a
    difference, so check mode tells exactly what a real run would do. Run with O(state=present) in check mode, it
    is also a preflight that the keys work and the bucket exists.
  - Needs no Python library on the managed host (it signs requests with AWS Signature Version 4 itself).
options:
  bucket:
    description:
      - The bucket name, by S3's rules (checked before any request is made), 3 to 63 lower-case letters, digits,
        dots and hyphens, starting and ending with a letter or digit, no two dots in a row, not like an IP address.
    type: str
    required: true
  state:
    description:
      - V(present) makes the bucket exist; V(absent) removes it. A bucket that still holds objects is not removed.
    type: str
    choices: [present, absent]
    default: present
  abort_incomplete_uploads_days:
    description:
      - Days after which RGW aborts a multipart upload that was started in the bucket but never completed (a push
        killed half way leaves its parts behind, distribution#1948), through one lifecycle rule with the ID
        C(wharf-abort-incomplete-uploads) for the whole bucket.
      - V(0) removes that rule. Unset leaves the bucket's lifecycle configuration alone.
      - The bucket's other lifecycle rules are kept as they are; the configuration is written only when this rule
        differs. Ignored with O(state=absent).
      - RGW runs lifecycle rules once a day, within C(rgw_lifecycle_work_time) (00:00-06:00 by default). An upload
        still in progress after that many days is aborted too; keep them above what the slowest push of a layer takes.
    type: int
extends_documentation_fragment:
  - wharf.registry.s3
  - wharf.registry.radosgw.attributes
seealso:
  - module: wharf.registry.radosgw_user
  - module: wharf.registry.swift_container
author:
  - wharf.registry maintainers (@wharf-registry)
"""

EXAMPLES = r"""
- name: Bucket for the registry's s3 storage
  wharf.registry.s3_bucket:
    endpoint: http://ceph1.example.com:7480
    access_key: "{{ vault_registry_s3_access_key }}"
    secret_key: "{{ vault_registry_s3_secret_key }}"
    bucket: registry
    abort_incomplete_uploads_days: 7

- name: Check, without changing anything, that the keys work and the bucket exists
  wharf.registry.s3_bucket:
    endpoint: http://ceph1.example.com:7480
    access_key: "{{ vault_registry_s3_access_key }}"
    secret_key: "{{ vault_registry_s3_secret_key }}"
    bucket: registry
  check_mode: true
  register: registry_bucket

- name: Fail when it is missing
  ansible.builtin.assert:
    that: registry_bucket is not changed
    fail_msg: The registry bucket does not exist yet; run the registry_storage role first.
"""

RETURN = r"""
bucket:
  description: The bucket after the run (in check mode, as it would be).
  returned: always
  type: dict
  contains:
    name:
      description: The bucket name.
      type: str
      sample: registry
    exists:
      description: Whether the bucket exists.
      type: bool
      sample: true
    abort_incomplete_uploads_days:
      description: Days after which RGW aborts incomplete uploads, V(0) for no such rule.
      returned: when O(abort_incomplete_uploads_days) is set and O(state=present)
      type: int
      sample: 7
"""

import re
from xml.etree import ElementTree

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.wharf.registry.plugins.module_utils._s3 import (
    S3Error,
    element_data,
    lifecycle_document,
    lifecycle_rules,
    s3_argument_spec,
    s3_client,
)

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
IP_ADDRESS = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$")
ABORT_RULE_ID = "wharf-abort-incomplete-uploads"


def abort_rule(days):
    """The lifecycle rule that aborts every incomplete multipart upload of the bucket days after it started."""
    rule = ElementTree.Element("Rule")
    ElementTree.SubElement(rule, "ID").text = ABORT_RULE_ID
    # An empty prefix in a Filter: the whole bucket, in the form S3 asks of new rules.
    ElementTree.SubElement(ElementTree.SubElement(rule, "Filter"), "Prefix").text = ""
    ElementTree.SubElement(rule, "Status").text = "Enabled"
    abort = ElementTree.SubElement(rule, "AbortIncompleteMultipartUpload")
    ElementTree.SubElement(abort, "DaysAfterInitiation").text = str(days)
    return rule


class S3Bucket:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = self.params["bucket"]
        self.diff = DifferenceTracker()

    def run(self):
        if not BUCKET_NAME.match(self.name) or ".." in self.name or IP_ADDRESS.match(self.name):
            self.module.fail_json(
                msg="bucket %r is not a valid S3 bucket name: use 3 to 63 lower-case letters, digits, dots and "
                "hyphens, starting and ending with a letter or digit, without two dots in a row, and not "
                "written like an IP address." % self.name
            )
        params = self.params
        days = params["abort_incomplete_uploads_days"]
        if days is not None and days < 0:
            self.module.fail_json(
                msg="abort_incomplete_uploads_days is %d; give the days after which RGW aborts incomplete uploads "
                "(1 or more), 0 to remove that rule, or leave it unset to leave the bucket's lifecycle alone." % days
            )
        client = s3_client(self.module)
        exists = client.bucket_exists(self.name)
        wanted = params["state"] == "present"
        self.diff.add("state", "present" if exists else "absent", params["state"])
        if exists != wanted and not self.module.check_mode:
            if wanted:
                client.create_bucket(self.name)
            else:
                client.delete_bucket(self.name)
        result = dict(bucket=dict(name=self.name, exists=wanted))
        if wanted and days is not None:
            self.abort_incomplete_uploads(client, exists, days)
            result["bucket"]["abort_incomplete_uploads_days"] = days
        result["changed"] = bool(self.diff)
        if self.module._diff:
            result["diff"] = self.diff.diff(before_header="bucket " + self.name, after_header="bucket " + self.name)
        return result

    def abort_incomplete_uploads(self, client, exists, days):
        """Make the bucket's rule that aborts incomplete uploads say days (0: no such rule), other rules untouched."""
        # A bucket this run creates (or, in check mode, would create) has no lifecycle yet.
        document = client.get_lifecycle(self.name) if exists else None
        rules = lifecycle_rules(document) if document else []
        ours = next((rule for rule in rules if rule.findtext("ID") == ABORT_RULE_ID), None)
        wanted = abort_rule(days) if days else None
        changed = self.diff.add(
            "lifecycle rule " + ABORT_RULE_ID,
            None if ours is None else element_data(ours),
            None if wanted is None else element_data(wanted),
        )
        if not changed or self.module.check_mode:
            return
        if ours is None:
            rules.append(wanted)
        else:
            rules[rules.index(ours)] = wanted
        rules = [rule for rule in rules if rule is not None]
        if rules:
            client.put_lifecycle(self.name, lifecycle_document(rules))
        else:
            # S3 refuses a configuration without rules.
            client.delete_lifecycle(self.name)


def explain(exc):
    """One sentence for the failures users meet; S3's own code for the rest."""
    if exc.code in ("InvalidAccessKeyId", "SignatureDoesNotMatch"):
        return "RGW rejected the S3 keys (%s): check access_key and secret_key." % exc.code
    if exc.code == "BucketNotEmpty":
        return "The bucket still holds objects; empty it first (nothing was removed)."
    if exc.code == "BucketAlreadyExists":
        return "Another user owns a bucket of that name; choose another name."
    return exc.msg


def main():
    module = AnsibleModule(
        argument_spec=s3_argument_spec(
            bucket=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            abort_incomplete_uploads_days=dict(type="int"),
        ),
        supports_check_mode=True,
    )
    try:
        module.exit_json(**S3Bucket(module).run())
    except S3Error as exc:
        module.fail_json(msg=explain(exc), status=exc.status, code=exc.code)


if __name__ == "__main__":
    main()
