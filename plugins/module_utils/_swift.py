# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Swift connection options shared by the modules of `group/wharf.registry.swift`, and the client factory.

Private to this collection: no compatibility promise outside it.
"""

import copy
import traceback

from ansible.module_utils.basic import missing_required_lib

try:
    import swiftclient
    from swiftclient.exceptions import ClientException
except ImportError:
    SWIFTCLIENT_IMPORT_ERROR = traceback.format_exc()

    class ClientException(Exception):
        """Stands in for swiftclient's exception so except clauses still name a class; never raised."""
else:
    SWIFTCLIENT_IMPORT_ERROR = None

# Documented once in the doc fragment wharf.registry.swift.
SWIFT_CONNECTION_SPEC = dict(
    auth_url=dict(type="str", required=True),
    auth_version=dict(type="str", default="1", choices=["1", "3"]),
    user=dict(type="str", required=True, aliases=["username"]),
    key=dict(type="str", required=True, no_log=True, aliases=["password"]),
    project_name=dict(type="str"),
    project_domain_name=dict(type="str", default="Default"),
    user_domain_name=dict(type="str", default="Default"),
    region_name=dict(type="str"),
    validate_certs=dict(type="bool", default=True),
    ca_cert=dict(type="path"),
    timeout=dict(type="int", default=30),
)


def swift_argument_spec(**module_options):
    spec = copy.deepcopy(SWIFT_CONNECTION_SPEC)
    spec.update(module_options)
    return spec


def check_container_name(module, name):
    if "/" in name or not name:
        module.fail_json(msg="container must be a non-empty name without '/'.")


class SwiftError(Exception):
    def __init__(self, msg, status=None):
        super().__init__(msg)
        self.msg = msg
        self.status = status


def connect(module):
    """An authenticated swiftclient Connection; raise SwiftError with one sentence when that is not possible."""
    if SWIFTCLIENT_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib("python-swiftclient"), exception=SWIFTCLIENT_IMPORT_ERROR)
    params = module.params
    os_options = {}
    if params["auth_version"] == "3":
        if not params["project_name"]:
            module.fail_json(msg="auth_version 3 (Keystone) needs project_name.")
        os_options = dict(
            project_name=params["project_name"],
            project_domain_name=params["project_domain_name"],
            user_domain_name=params["user_domain_name"],
        )
        if params["region_name"]:
            os_options["region_name"] = params["region_name"]
    conn = swiftclient.Connection(
        authurl=params["auth_url"],
        user=params["user"],
        key=params["key"],
        auth_version=params["auth_version"],
        os_options=os_options,
        insecure=not params["validate_certs"],
        cacert=params["ca_cert"],
        timeout=params["timeout"],
        # One retry for a transient error; a dead endpoint should fail in seconds, not after a long back-off.
        retries=1,
        starting_backoff=0.5,
    )
    try:
        conn.get_auth()
    except ClientException as exc:
        if exc.http_status in (401, 403):
            raise SwiftError(
                "Swift authentication at %s failed for user %s (HTTP %s): check user and key."
                % (params["auth_url"], params["user"], exc.http_status),
                exc.http_status,
            ) from exc
        raise SwiftError("Swift authentication at %s failed: %s" % (params["auth_url"], exc), exc.http_status) from exc
    except Exception as exc:  # requests/keystoneauth connection errors have no common base class here
        raise SwiftError("Could not reach the Swift auth URL %s: %s" % (params["auth_url"], exc)) from exc
    return conn


def run_and_exit(module, run):
    """Exit with run()'s result, or fail with one sentence when a Swift request did."""
    try:
        result = run()
    except SwiftError as exc:
        module.fail_json(msg=exc.msg, status=exc.status)
    except ClientException as exc:
        module.fail_json(msg="Swift request failed: %s" % exc, status=exc.http_status)
    module.exit_json(**result)
