# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # How the modules that talk to a registry's HTTP API reach it.
    DOCUMENTATION = r"""
options:
  url:
    description:
      - The registry's base URL, C(https://registry.example.com) or C(http://127.0.0.1:5000).
    type: str
    required: true
  ca_path:
    description:
      - A PEM file of the CA to verify the registry's certificate with, instead of the system's trust.
    type: path
  validate_certs:
    description: Whether to verify the registry's certificate.
    type: bool
    default: true
  username:
    description: User for Basic auth.
    type: str
  password:
    description: Password for Basic auth; never logged or returned.
    type: str
  timeout:
    description: Seconds to wait for each answer.
    type: int
    default: 30
"""
