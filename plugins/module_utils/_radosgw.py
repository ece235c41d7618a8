# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The two RGW admin clients of wharf.registry, radosgw-admin and the Admin Ops API, with one interface, and the
connection options every RGW module shares.

Private to this collection: no compatibility promise outside it.
"""

import copy
import json
import re

from ansible_collections.wharf.registry.plugins.module_utils._difference import MASK
from ansible_collections.wharf.registry.plugins.module_utils._s3 import S3Client, S3Error

# The connection options of every module in the action group `group/wharf.registry.rgw`; documented once in the
# doc fragment wharf.registry.radosgw.
RADOSGW_CONNECTION_SPEC = dict(
    cluster=dict(type="str", default="ceph"),
    conf=dict(type="path"),
    keyring=dict(type="path", no_log=False),
    client_name=dict(type="str"),
    cmd_prefix=dict(type="list", elements="str", default=[]),
    executable=dict(type="str", default="radosgw-admin"),
    admin_endpoint=dict(type="str"),
    admin_access_key=dict(type="str", no_log=True),
    admin_secret_key=dict(type="str", no_log=True),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
)
# The user fields that `user create` and `user modify` take, in the order both clients pass them.
USER_FIELDS = ("display_name", "email", "max_buckets")

SUBUSER_ACCESS = ("read", "write", "readwrite", "full")
# `subuser modify --access=X` is reported back under another name.
ACCESS_TO_PERMISSIONS = {"read": "read", "write": "write", "readwrite": "read-write", "full": "full-control"}

# The capability types RGW knows (RGWUserCaps::is_valid_cap_type), each tried on 16.2.15 and 18.2.7: info and
# ratelimit need Reef, user-info-without-keys a later release. Only a known name keeps a type such as
# "users=*;buckets" from smuggling further caps into --caps=.
CAP_TYPES = (
    "users",
    "user",
    "buckets",
    "metadata",
    "usage",
    "zone",
    "info",
    "bilog",
    "mdlog",
    "datalog",
    "roles",
    "user-policy",
    "amz-cache",
    "oidc-provider",
    "user-info-without-keys",
    "ratelimit",
)
# RGW reports read and write together as "*".
CAP_PERMS = {"read": "read", "write": "write", "*": "*", "read, write": "*"}

# A JSON string member whose name says it holds a secret, for masking output that could not be parsed.
_SECRET_MEMBER = re.compile(
    r'("[A-Za-z_-]*(?:secret|password|token)[A-Za-z_-]*"\s*:\s*)"((?:[^"\\]|\\.)*)"', re.IGNORECASE
)
# A quota size in powers of 1024 as radosgw-admin reads it (100G, 100Gi), plus 100GiB; not 100GB, which RGW reads
# as 100Gi but people as 100 * 1000^3.
_SIZE = re.compile(r"^(-?[0-9]+) ?(?:([KMGTPE])(?:i|iB)?|B)?$")
_SIZE_SHIFT = dict(K=10, M=20, G=30, T=40, P=50, E=60)
_INT64_MAX = 2**63 - 1
# What no uid or subuser name may hold: ':' joins them, control characters cannot be typed back.
_BAD_NAME = re.compile(r"[:\x00-\x1f\x7f]")

# radosgw-admin answers a missing user with the same rc as a usage error (22), so the text decides.
_NO_SUCH_USER = (22, "no user info saved")


def radosgw_argument_spec(**module_options):
    spec = copy.deepcopy(RADOSGW_CONNECTION_SPEC)
    spec.update(module_options)
    return spec


def size_in_bytes(value):
    """A quota size in bytes: an integer, or a string of digits with an optional K, M, G, T, P or E suffix (powers
    of 1024, also written Ki or KiB) or B. None when the value is none of these or does not fit RGW's int64."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        match = _SIZE.match(str(value).strip())
        if not match:
            return None
        number = int(match.group(1))
        if match.group(2):
            if number < 0:
                return None
            number <<= _SIZE_SHIFT[match.group(2)]
    return number if number <= _INT64_MAX else None


def name_problem(name):
    """Why `name` cannot be an RGW uid or subuser name, or None."""
    if not name or name != name.strip():
        return "must be non-empty and must not start or end with white space"
    if _BAD_NAME.search(name):
        return "must not contain ':' (it joins uid and subuser) or control characters"
    return None


class RadosgwAdminError(Exception):
    """An admin call failed: carries the (secret-masked) command or request, and its rc and stderr or HTTP status."""

    def __init__(self, msg, cmd=None, rc=None, stdout=None, stderr=None, status=None):
        super().__init__(msg)
        self.msg = msg
        self.cmd = cmd
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.status = status

    def fail_kwargs(self):
        """Keyword arguments for module.fail_json: the sentence plus whatever of cmd/rc/stderr/stdout/status is
        known."""
        result = dict(msg=self.msg)
        for key in ("cmd", "rc", "stderr", "stdout", "status"):
            value = getattr(self, key)
            if value is not None:
                result[key] = value
        return result


def radosgw_client(module):
    """The client the connection options choose: the Admin Ops API when admin_endpoint is set, else radosgw-admin."""
    params = module.params
    keys = [name for name in ("admin_access_key", "admin_secret_key") if params[name]]
    if not params["admin_endpoint"]:
        if keys:
            module.fail_json(
                msg="%s given without admin_endpoint; set admin_endpoint to use the Admin Ops API, or "
                "leave both keys unset to use radosgw-admin." % " and ".join(keys)
            )
        return RadosgwAdmin(module)
    if len(keys) < 2:
        module.fail_json(
            msg="admin_endpoint needs admin_access_key and admin_secret_key, the S3 key of an RGW user "
            "with the cap users=*."
        )
    try:
        return RadosgwAdminOps(module)
    except S3Error as exc:
        module.fail_json(msg="admin_" + exc.msg)


class RadosgwAdmin:
    """Runs radosgw-admin as argv lists, through an optional command prefix, and parses its JSON output.

    Every call that changes something returns the user as radosgw-admin prints it afterwards, or None when the call
    prints nothing (quota): the caller then reads the user once at the end. `calls` keeps the (masked) argv of every
    call made, so tests and callers can see what a run cost.
    """

    def __init__(self, module):
        self.module = module
        params = module.params
        prefix = list(params["cmd_prefix"] or [])
        if prefix:
            # The binary lives behind the prefix (cephadm shell, docker exec, ...): it cannot be looked up here, and
            # the environment does not cross that boundary, so the locale is set through env(1) on the far side.
            self.base = prefix + ["env", "LC_ALL=C", params["executable"]]
        else:
            self.base = [module.get_bin_path(params["executable"], required=True)]
        self.base += ["--cluster", params["cluster"]]
        if params["conf"]:
            self.base += ["-c", params["conf"]]
        if params["client_name"]:
            self.base += ["-n", params["client_name"]]
        if params["keyring"]:
            self.base += ["-k", params["keyring"]]
        self.base.append("--format=json")
        self.calls = []

    @staticmethod
    def _mask(text, secrets):
        for secret in secrets:
            if secret:
                text = text.replace(secret, MASK)
        return text

    def _shown(self, secrets, *texts):
        """The texts as a failure shows them: without the secrets passed, nor the value of any secret-looking JSON
        member found in any of them (a prefix's banner in front of the JSON stops it from being parsed, not from
        holding every key of the user)."""
        found = list(secrets)
        for text in texts:
            for match in _SECRET_MEMBER.finditer(text):
                found.append(match.group(2))
                try:
                    found.append(json.loads('"%s"' % match.group(2)))
                except ValueError:
                    pass
        return [_SECRET_MEMBER.sub(r'\1"%s"' % MASK, self._mask(text, found)) for text in texts]

    def run(self, args, secrets=(), absent=None):
        """Run one call and return its parsed JSON output (None when it printed nothing).

        `absent` is (rc, text): that rc with that text on stderr means "no such thing" and returns None. Any other
        rc but 0 raises RadosgwAdminError.
        """
        argv = self.base + list(args)
        shown = [self._mask(arg, secrets) for arg in argv]
        self.calls.append(shown)
        # Values reach radosgw-admin as given: run_command would otherwise expand $VAR and ~ in every argument.
        rc, out, err = self.module.run_command(
            argv, environ_update={"LC_ALL": "C", "LANG": "C"}, expand_user_and_vars=False
        )
        if absent and rc == absent[0] and absent[1] in err:
            return None
        if rc != 0:
            out, err = self._shown(secrets, out, err)
            raise RadosgwAdminError(
                "radosgw-admin %s failed with rc %s: %s" % (" ".join(args[:2]), rc, self._last_line(err)),
                cmd=shown,
                rc=rc,
                stdout=out,
                stderr=err,
            )
        data = None
        if out.strip():
            try:
                data = json.loads(out)
            except ValueError as exc:
                out, err = self._shown(secrets, out, err)
                raise RadosgwAdminError(
                    "radosgw-admin %s printed something that is not JSON." % " ".join(args[:2]),
                    cmd=shown,
                    rc=rc,
                    stdout=out,
                    stderr=err,
                ) from exc
        return data

    @staticmethod
    def _last_line(text):
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        return lines[-1] if lines else "no error text"

    # Users

    def user_info(self, uid):
        """The user as radosgw-admin reports it, or None when it does not exist."""
        return self.run(["user", "info", "--uid=" + uid], absent=_NO_SUCH_USER)

    def user_list(self):
        return self.run(["user", "list"]) or []

    @staticmethod
    def _user_fields(fields):
        return ["--%s=%s" % (name.replace("_", "-"), fields[name]) for name in USER_FIELDS if name in fields]

    def user_create(self, uid, fields, access_key=None, secret_key=None):
        """fields: some of USER_FIELDS, by name."""
        args = ["user", "create", "--uid=" + uid] + self._user_fields(fields)
        if access_key:
            args += ["--access-key=" + access_key, "--secret-key=" + secret_key]
        return self.run(args, secrets=[secret_key])

    def user_modify(self, uid, fields):
        return self.run(["user", "modify", "--uid=" + uid] + self._user_fields(fields))

    def user_suspend(self, uid, suspended):
        return self.run(["user", "suspend" if suspended else "enable", "--uid=" + uid])

    def user_remove(self, uid, purge_data):
        self.run(["user", "rm", "--uid=" + uid] + (["--purge-data"] if purge_data else []))

    def caps_add(self, uid, caps):
        return self.run(["caps", "add", "--uid=" + uid, "--caps=" + caps])

    def caps_remove(self, uid, caps):
        return self.run(["caps", "rm", "--uid=" + uid, "--caps=" + caps])

    def quota_set(self, uid, scope, quota):
        """quota: max_size and max_objects together, enabled, or all three; what is not given stays."""
        if "max_size" in quota:
            self.run(
                [
                    "quota",
                    "set",
                    "--quota-scope=" + scope,
                    "--uid=" + uid,
                    "--max-size=%d" % quota["max_size"],
                    "--max-objects=%d" % quota["max_objects"],
                ]
            )
        if "enabled" in quota:
            self.run(["quota", "enable" if quota["enabled"] else "disable", "--quota-scope=" + scope, "--uid=" + uid])

    def s3_key_remove(self, uid, access_key):
        return self.run(["key", "rm", "--uid=" + uid, "--key-type=s3", "--access-key=" + access_key])

    def s3_key_set(self, uid, access_key, secret_key):
        """Create the S3 key, or set its secret when the access key exists already."""
        return self.run(
            [
                "key",
                "create",
                "--uid=" + uid,
                "--key-type=s3",
                "--access-key=" + access_key,
                "--secret-key=" + secret_key,
            ],
            secrets=[secret_key],
        )

    # Subusers and their swift keys

    def subuser_create(self, uid, subuser, access, secret=None):
        """Create a subuser with its swift key in one call. Only for a subuser that does not exist yet: on an
        existing one radosgw-admin silently rotates the secret and ignores --access."""
        args = ["subuser", "create", "--uid=" + uid, "--subuser=" + subuser, "--access=" + access, "--key-type=swift"]
        args.append("--secret-key=" + secret if secret else "--gen-secret")
        return self.run(args, secrets=[secret])

    def subuser_modify(self, uid, subuser, access):
        return self.run(["subuser", "modify", "--uid=" + uid, "--subuser=" + subuser, "--access=" + access])

    def subuser_remove(self, uid, subuser, purge_keys):
        args = ["subuser", "rm", "--uid=" + uid, "--subuser=" + subuser]
        if purge_keys:
            args.append("--purge-keys")
        return self.run(args)

    def swift_key_set(self, uid, subuser, secret=None):
        """Set the subuser's swift secret to `secret`, or to a fresh random one (which rotates it)."""
        args = ["key", "create", "--uid=" + uid, "--subuser=" + subuser, "--key-type=swift"]
        args.append("--secret-key=" + secret if secret else "--gen-secret")
        return self.run(args, secrets=[secret])

    def swift_key_remove(self, uid, subuser):
        return self.run(["key", "rm", "--uid=" + uid, "--subuser=" + subuser, "--key-type=swift"])


class RadosgwAdminOps:
    """The calls of RadosgwAdmin through RGW's Admin Ops API (/admin/user and its subresources), each one request
    signed with SigV4 by the admin key; secrets travel only in the query of signed requests.

    Returns what RadosgwAdmin returns, the user shaped as radosgw-admin prints it; a call whose answer is not the
    user (subuser, key, caps, quota) returns None, and the caller reads the user once at the end. `calls` keeps
    every request as METHOD /admin/user?query, secrets masked.
    """

    PATH = "/admin/user"

    def __init__(self, module):
        params = module.params
        self.http = S3Client(
            params["admin_endpoint"],
            params["admin_access_key"],
            params["admin_secret_key"],
            validate_certs=params["validate_certs"],
            ca_path=params["ca_path"],
        )
        self.calls = []

    @staticmethod
    def _value(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def request(self, method, subresource=None, params=(), secrets=(), absent=None):
        """Send one request; return its parsed JSON answer (None when it is empty). `params` are (name, value)
        pairs; `absent` is an error code that means "no such thing" and returns None."""
        query = [(name, self._value(value)) for name, value in params if value is not None]
        # RGW keeps one value per name and signs that one: a subresource that is also a parameter (subuser=...)
        # is sent once, as the parameter.
        if subresource and subresource not in [name for name, dummy in query]:
            query.append((subresource, None))
        shown = "%s %s?%s" % (
            method,
            self.PATH,
            "&".join(
                name if value is None else "%s=%s" % (name, MASK if value in secrets else value)
                for name, value in sorted(query)
            ),
        )
        self.calls.append(shown)
        try:
            dummy, body = self.http.request(method, self.PATH, query)
        except S3Error as exc:
            if absent and exc.code == absent:
                return None
            raise RadosgwAdminError(
                self._sentence(exc, method, subresource, params), cmd=shown, status=exc.status
            ) from exc
        if not body.strip():
            return None
        try:
            return json.loads(body)
        except ValueError as exc:
            raise RadosgwAdminError(
                "RGW answered %s with something that is not JSON." % shown.split("?")[0], cmd=shown, status=200
            ) from exc

    def _sentence(self, exc, method, subresource, params):
        what = "%s %s%s" % (method, self.PATH, "?" + subresource if subresource else "")
        if exc.code == "AccessDenied":
            return (
                "RGW refused %s (AccessDenied): the user of admin_access_key needs the cap users=read to read "
                "users and users=* to change them." % what
            )
        if exc.code == "SignatureDoesNotMatch" or (
            exc.code == "InvalidAccessKeyId" and "access-key" not in dict(params)
        ):
            return "RGW rejected the admin key (%s): check admin_access_key and admin_secret_key." % exc.code
        if exc.status is None:
            return exc.msg + "."
        return "RGW Admin Ops %s answered HTTP %s%s." % (what, exc.status, " (%s)" % exc.code if exc.code else "")

    @staticmethod
    def _as_radosgw_admin(user):
        """The user as radosgw-admin prints it: the Admin Ops API also answers tenant (apart from user_id), and
        system and admin always, as strings; radosgw-admin joins tenant$uid and names the flags only when set."""
        if not isinstance(user, dict):
            return None
        user = dict(user)
        tenant = user.pop("tenant", "")
        if tenant:
            user["user_id"] = "%s$%s" % (tenant, user["user_id"])
        for flag in ("system", "admin"):
            if user.pop(flag, "false") in ("true", True):
                user[flag] = True
        return user

    # Users

    def user_info(self, uid):
        return self._as_radosgw_admin(self.request("GET", params=[("uid", uid)], absent="NoSuchUser"))

    def user_list(self):
        users, marker = [], None
        while True:
            page = self.request("GET", "list", [("max-entries", 1000), ("marker", marker)]) or {}
            users += page.get("keys") or []
            if not page.get("truncated"):
                return users
            marker = page["marker"]

    @staticmethod
    def _user_fields(fields):
        return [(name.replace("_", "-"), fields[name]) for name in USER_FIELDS if name in fields]

    def user_create(self, uid, fields, access_key=None, secret_key=None):
        params = [("uid", uid)] + self._user_fields(fields)
        if access_key:
            params += [("key-type", "s3"), ("access-key", access_key), ("secret-key", secret_key)]
        return self._as_radosgw_admin(self.request("PUT", params=params, secrets=[secret_key]))

    def user_modify(self, uid, fields):
        return self._as_radosgw_admin(self.request("POST", params=[("uid", uid)] + self._user_fields(fields)))

    def user_suspend(self, uid, suspended):
        return self._as_radosgw_admin(self.request("POST", params=[("uid", uid), ("suspended", suspended)]))

    def user_remove(self, uid, purge_data):
        self.request("DELETE", params=[("uid", uid), ("purge-data", purge_data)])

    def caps_add(self, uid, caps):
        self.request("PUT", "caps", [("uid", uid), ("user-caps", caps)])

    def caps_remove(self, uid, caps):
        self.request("DELETE", "caps", [("uid", uid), ("user-caps", caps)])

    def quota_set(self, uid, scope, quota):
        # One request: what is not given keeps its value on RGW's side.
        self.request(
            "PUT",
            "quota",
            [
                ("uid", uid),
                ("quota-type", scope),
                ("max-size", quota.get("max_size")),
                ("max-objects", quota.get("max_objects")),
                ("enabled", quota.get("enabled")),
            ],
        )

    def s3_key_remove(self, uid, access_key):
        self.request("DELETE", "key", [("uid", uid), ("key-type", "s3"), ("access-key", access_key)])

    def s3_key_set(self, uid, access_key, secret_key):
        self.request(
            "PUT",
            "key",
            [("uid", uid), ("key-type", "s3"), ("access-key", access_key), ("secret-key", secret_key)],
            secrets=[secret_key],
        )

    # Subusers and their swift keys

    def subuser_create(self, uid, subuser, access, secret=None):
        self.request(
            "PUT",
            "subuser",
            [
                ("uid", uid),
                ("subuser", subuser),
                ("access", access),
                ("key-type", "swift"),
                ("secret-key", secret),
                ("generate-secret", None if secret else True),
            ],
            secrets=[secret],
        )

    def subuser_modify(self, uid, subuser, access):
        self.request("POST", "subuser", [("uid", uid), ("subuser", subuser), ("access", access)])

    def subuser_remove(self, uid, subuser, purge_keys):
        self.request("DELETE", "subuser", [("uid", uid), ("subuser", subuser), ("purge-keys", purge_keys)])

    def swift_key_set(self, uid, subuser, secret=None):
        self.request(
            "PUT",
            "key",
            [
                ("uid", uid),
                ("subuser", subuser),
                ("key-type", "swift"),
                ("secret-key", secret),
                ("generate-key", None if secret else True),
            ],
            secrets=[secret],
        )

    def swift_key_remove(self, uid, subuser):
        self.request("DELETE", "key", [("uid", uid), ("subuser", subuser), ("key-type", "swift")])


def find_subuser(user, subuser_id):
    for item in user.get("subusers") or []:
        if item.get("id") == subuser_id:
            return item
    return None


def find_swift_key(user, subuser_id):
    for item in user.get("swift_keys") or []:
        if item.get("user") == subuser_id:
            return item
    return None


def mask_user(user, reveal=False):
    """A copy of a `user info` document with every secret key masked unless `reveal`."""
    if user is None:
        return None
    result = copy.deepcopy(user)
    if not reveal:
        for section in ("keys", "swift_keys"):
            for key in result.get(section) or []:
                if key.get("secret_key"):
                    key["secret_key"] = MASK
    return result
