#!/usr/bin/python
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: swift_s3_check
short_description: Check that the objects of a Swift container read through RGW's S3 API with the size Swift gives
description:
  - Before a registry 2.x on swift moves in place to the s3 driver, proves on a sample of its objects that RGW's S3
    API serves them whole. The registry's swift driver writes every blob as a Swift dynamic large object (segments
    and a zero-byte manifest); S3 must answer the manifest's name with the size of all its segments.
  - Reads only, so check mode runs it as it is; fails with one sentence when S3 gives another size for any sampled
    object or cannot read it.
version_added: 1.0.0
extends_documentation_fragment:
  - wharf.registry.swift
options:
  container:
    description:
      - The Swift container, the same name as an S3 bucket.
    type: str
    required: true
  prefix:
    description:
      - Only objects whose name starts with this; the default is where registry 2.x keeps its blobs.
    type: str
    default: files/docker/registry/v2/blobs/
  sample:
    description:
      - How many objects to compare, spread evenly over the listing; V(0) compares every one.
    type: int
    default: 50
  s3_endpoint:
    description:
      - RGW's S3 endpoint, for example C(http://ceph1.example.com:7480) (path-style buckets).
    type: str
    required: true
  s3_access_key:
    description:
      - An S3 access key of the user that owns the container.
    type: str
    required: true
  s3_secret_key:
    description:
      - Its secret.
    type: str
    required: true
  s3_region:
    description:
      - The region to sign S3 requests for; RGW's default zonegroup accepts any value.
    type: str
    default: default
seealso:
  - module: wharf.registry.swift_segments_gc
author:
  - wharf.registry maintainers (@wharf-registry)
"""

EXAMPLES = r"""
- name: The registry's blobs read through S3 as they do through Swift
  wharf.registry.swift_s3_check:
    auth_url: http://ceph1.example.com:7480/auth/v1
    user: demo:swift
    key: "{{ vault_demo_swift_secret }}"
    container: registry
    s3_endpoint: http://ceph1.example.com:7480
    s3_access_key: "{{ vault_demo_s3_access_key }}"
    s3_secret_key: "{{ vault_demo_s3_secret_key }}"
"""

RETURN = r"""
objects:
  description: Objects under O(prefix) in the container.
  returned: always
  type: int
  sample: 412
checked:
  description: Objects compared.
  returned: always
  type: int
  sample: 50
large_objects:
  description: How many of those were Swift large objects (a manifest over segments).
  returned: always
  type: int
  sample: 31
bytes:
  description: Bytes of the compared objects, as Swift gives them.
  returned: always
  type: int
  sample: 734003200
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wharf.registry.plugins.module_utils._s3 import S3Client, S3Error
from ansible_collections.wharf.registry.plugins.module_utils._swift import (
    check_container_name,
    connect,
    run_and_exit,
    swift_argument_spec,
)


def spread(items, count):
    """count items evenly spread over items (all of them for count 0), first and last included."""
    if count <= 0 or count >= len(items):
        return list(items)
    if count == 1:
        return [items[0]]
    step = (len(items) - 1) / float(count - 1)
    return [items[int(round(i * step))] for i in range(count)]


def check(module):
    params = module.params
    container = params["container"]
    check_container_name(module, container)
    if params["sample"] < 0:
        module.fail_json(msg="sample is a number of objects, 0 for all of them, not %d." % params["sample"])
    try:
        s3 = S3Client(
            params["s3_endpoint"],
            params["s3_access_key"],
            params["s3_secret_key"],
            params["s3_region"],
            validate_certs=params["validate_certs"],
            ca_path=params["ca_cert"],
            timeout=params["timeout"],
        )
    except S3Error as exc:
        module.fail_json(msg="s3_%s" % exc)
    conn = connect(module)
    dummy, listing = conn.get_container(container, prefix=params["prefix"], full_listing=True)
    names = [entry["name"] for entry in listing if "name" in entry]
    result = dict(changed=False, objects=len(names), checked=0, large_objects=0, bytes=0)
    for name in spread(names, params["sample"]):
        headers = conn.head_object(container, name)
        swift_size = int(headers.get("content-length", 0))
        try:
            s3_size = s3.object_size(container, name)
        except S3Error as exc:
            module.fail_json(
                msg="S3 cannot read %s in %s (%s), which Swift serves: do not move this container "
                "to the s3 driver." % (name, container, exc),
                **result,
            )
        if s3_size != swift_size:
            module.fail_json(
                msg="S3 gives %s in %s a size of %d bytes, Swift %d: do not move this container to the "
                "s3 driver." % (name, container, s3_size, swift_size),
                **result,
            )
        result["checked"] += 1
        result["large_objects"] += int("x-object-manifest" in headers)
        result["bytes"] += swift_size
    return result


def main():
    module = AnsibleModule(
        argument_spec=swift_argument_spec(
            container=dict(type="str", required=True),
            prefix=dict(type="str", default="files/docker/registry/v2/blobs/"),
            sample=dict(type="int", default=50),
            s3_endpoint=dict(type="str", required=True),
            s3_access_key=dict(type="str", required=True, no_log=False),
            s3_secret_key=dict(type="str", required=True, no_log=True),
            s3_region=dict(type="str", default="default"),
        ),
        supports_check_mode=True,
    )
    run_and_exit(module, lambda: check(module))


if __name__ == "__main__":
    main()
