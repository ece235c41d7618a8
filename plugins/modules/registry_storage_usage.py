#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
---
module: registry_storage_usage
short_description: Count the blobs a registry keeps in its S3 bucket, and their bytes
version_added: 0.1.0
description:
  - Lists, with the registry's own S3 keys, the objects of the registry's blob store in its bucket (C(ROOT/docker/
    registry/v2/blobs/), where the s3 driver of distribution 2.8 and 3.x keeps each blob's bytes in
    C(sha256/XX/DIGEST/data)), and returns how many there are, their bytes, and the size of each.
  - What C(playbooks/gc.yml) measures before and after a deleting collection, to prove that the bucket lost what the
    collection reported deleting, no more and no less.
  - Changes nothing; check mode runs it as usual. One request per 1,000 objects of the blob store.
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
"""

import re

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._s3 import S3Error, s3_argument_spec, s3_client

BLOB_DATA = re.compile(r"/blobs/([a-z0-9]+)/[0-9a-f]{2}/([0-9a-f]+)/data$")


def main():
    module = AnsibleModule(
        argument_spec=s3_argument_spec(
            bucket=dict(type="str", required=True),
            rootdirectory=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    params = module.params
    prefix = "%s/docker/registry/v2/blobs/" % params["rootdirectory"].strip("/")
    try:
        client = s3_client(module)
        sizes = {}
        for key, size in client.list_objects(params["bucket"], prefix.lstrip("/")):
            found = BLOB_DATA.search("/" + key)
            if found:
                sizes["%s:%s" % found.groups()] = size
    except S3Error as exc:
        module.fail_json(msg="Reading the blob store in bucket %s failed: %s." % (params["bucket"], exc.msg))
    module.exit_json(changed=False, blobs=len(sizes), bytes=sum(sizes.values()), sizes=sizes)


if __name__ == "__main__":
    main()
