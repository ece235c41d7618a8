# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # How the Swift modules authenticate. Set these once with module_defaults: {group/wharf.registry.swift: {...}}.
    DOCUMENTATION = r"""
options:
  auth_url:
    description:
      - The Swift auth URL. For the RADOS Gateway with auth v1, C(http://RGW:PORT/auth/v1); for Keystone v3,
        its identity endpoint such as C(https://keystone.example.com:5000/v3).
    type: str
    required: true
  auth_version:
    description:
      - V(1) is Swift auth v1 as the RADOS Gateway offers it (user C(uid:subuser), key = the subuser's Swift
        secret). V(3) is Keystone v3 as OpenStack Swift uses it, and needs O(project_name) and the
        C(keystoneauth1) Python package.
    type: str
    choices: ['1', '3']
    default: '1'
  user:
    description:
      - The user to authenticate as; for the RADOS Gateway, C(uid:subuser).
      - The alias O(username) is the registry's name for it (config.yml and the storage hand-off).
    type: str
    required: true
    aliases: [username]
  key:
    description:
      - The user's Swift secret (auth v1) or password (Keystone).
      - The alias O(password) is the registry's name for it (config.yml and the storage hand-off).
    type: str
    required: true
    aliases: [password]
  project_name:
    description:
      - Keystone v3 project. Only with O(auth_version=3).
    type: str
  project_domain_name:
    description:
      - Keystone v3 project domain. Only with O(auth_version=3).
    type: str
    default: Default
  user_domain_name:
    description:
      - Keystone v3 user domain. Only with O(auth_version=3).
    type: str
    default: Default
  region_name:
    description:
      - Keystone region whose Swift endpoint to use. Only with O(auth_version=3).
    type: str
  validate_certs:
    description:
      - Verify the TLS certificate of the auth and storage URLs.
    type: bool
    default: true
  ca_cert:
    description:
      - CA bundle to verify TLS certificates with.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP response.
    type: int
    default: 30
requirements:
  - python-swiftclient on the host that runs the module.
notes:
  - Authentication comes first; a wrong key or an unreachable auth URL fails the task before anything changes.
"""
