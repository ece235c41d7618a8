#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: registry_storage_usage
short_description: Count the blobs a registry keeps in its S3 bucket, their bytes, and its incomplete uploads
version_added: 1.0.0
description:
  - Lists, with the registry's own S3 keys, the objects of the registry's blob store in its bucket (C(ROOT/docker/
    registry/v2/blobs/), where the s3 driver of distribution 2.8 and 3.x keeps each blob's bytes in
    C(sha256/XX/DIGEST/data)), and returns how many there are, their bytes, and the size of each.
  - Counts, by repository, the multipart uploads under the registry's root that were neither completed nor aborted.
    Each blob upload the registry starts is one until it is committed, and a push killed half way leaves its upload
    behind (distribution#1948). The bucket's lifecycle rule (M(wharf.registry.s3_bucket)'s
    O(wharf.registry.s3_bucket#module:abort_incomplete_uploads_days)) is what removes them.
  - What C(playbooks/gc.yml) measures before and after a deleting collection, to prove that the bucket lost what the
    collection reported deleting, no more and no less.
  - Changes nothing; check mode runs it as usual. One request per 1,000 objects of the blob store, and one per
    1,000 incomplete uploads.
options:
  bucket:
    description: The registry's bucket.
    type: str
    required: true
  rootdirectory:
    description: The s3 driver's C(rootdirectory), empty for the bucket's top.
    type: str
    default: ""
extends_documentation_fragment:
  - wharf.registry.s3
  - wharf.registry.radosgw.info_attributes
author:
  - wharf.registry maintainers (@wharf-registry)
"""

EXAMPLES = r"""
- name: Read the blob store before a collection
  wharf.registry.registry_storage_usage:
    endpoint: https://rgw.example.com
    access_key: "{{ vault_registry_s3_access_key }}"
    secret_key: "{{ vault_registry_s3_secret_key }}"
    bucket: registry
  register: blob_store
"""

RETURN = r"""
blobs:
  description: How many blobs the blob store holds (manifests included, as the registry keeps them as blobs too).
  returned: always
  type: int
  sample: 412
bytes:
  description: Their bytes.
  returned: always
  type: int
  sample: 1834012311
sizes:
  description: The bytes of each blob, by digest.
  returned: always
  type: dict
  sample: {"sha256:0f5e...": 2811478}
incomplete_uploads:
  description: How many multipart uploads under the registry's root are neither completed nor aborted.
  returned: always
  type: int
  sample: 3
incomplete_uploads_by_repository:
  description: Those uploads by the repository they were started in (uploads outside a repository's C(_uploads)
    folder under C(other)).
  returned: always
  type: dict
  sample: {"team/app": 2, "ci/cache": 1}
oldest_incomplete_upload:
  description: When the oldest of them was started, as S3 gives it (ISO 8601, UTC); null when there is none.
  returned: always
  type: str
  sample: "2026-12-07T18:12:36.339Z"
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._s3 import S3Error, s3_argument_spec, s3_client

BLOB_DATA = re.compile(r"/blobs/([a-z0-9]+)/[0-9a-f]{2}/([0-9a-f]+)/data$")
UPLOAD_DATA = re.compile(r"/repositories/(.+)/_uploads/[^/]+/data$")


def main():
    module = AnsibleModule(
        argument_spec=s3_argument_spec(
            bucket=dict(type="str", required=True),
            rootdirectory=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    params = module.params
    root = ("%s/docker/registry/v2/" % params["rootdirectory"].strip("/")).lstrip("/")
    try:
        client = s3_client(module)
        sizes = {}
        for key, size in client.list_objects(params["bucket"], root + "blobs/"):
            found = BLOB_DATA.search("/" + key)
            if found:
                sizes["%s:%s" % found.groups()] = size
        uploads = {}
        started = []
        for key, initiated in client.list_multipart_uploads(params["bucket"], root):
            found = UPLOAD_DATA.search("/" + key)
            repository = found.group(1) if found else "other"
            uploads[repository] = uploads.get(repository, 0) + 1
            started.append(initiated)
    except S3Error as exc:
        module.fail_json(msg="Reading the blob store in bucket %s failed: %s." % (params["bucket"], exc.msg))
    module.exit_json(
        changed=False,
        blobs=len(sizes),
        bytes=sum(sizes.values()),
        sizes=sizes,
        incomplete_uploads=len(started),
        incomplete_uploads_by_repository=uploads,
        oldest_incomplete_upload=min(started) if started else None,
    )


if __name__ == "__main__":
    main()
