# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # How the S3 modules reach RGW. Set these once with module_defaults: {group/wharf.registry.s3: {...}}.
    DOCUMENTATION = r"""
options:
  endpoint:
    description:
      - The RADOS Gateway's S3 endpoint, scheme, host and port, for example C(http://ceph1.example.com:7480).
        Buckets are addressed path-style (C(ENDPOINT/BUCKET)), so no wildcard DNS is needed.
    type: str
    required: true
  access_key:
    description:
      - The S3 access key of the bucket's owner.
    type: str
    required: true
  secret_key:
    description:
      - The S3 secret key of the bucket's owner.
    type: str
    required: true
  region:
    description:
      - The region to sign requests for; RGW's default zonegroup accepts any value.
    type: str
    default: default
  validate_certs:
    description:
      - Verify the endpoint's TLS certificate.
    type: bool
    default: true
  ca_content:
    description:
      - PEM text of the CA that signed the endpoint's certificate, trusted in place of the host's CAs (for example
        C(registry_pki_handoff.ca_cert)). Omitted, the host's CAs are trusted.
    type: str
  timeout:
    description:
      - Seconds to wait for each HTTP response.
    type: int
    default: 30
notes:
  - Requests are signed with AWS Signature Version 4; no Python library is needed on the host that runs the module.
  - A wrong key fails the task with one sentence before anything changes.
"""
