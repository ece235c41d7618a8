# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A stand-in for RGW's Admin Ops API (/admin/user and its subresources) on a loopback port, for the unit tests.

It answers as Pacific and Reef were seen to answer (the shapes, codes and traps noted below), keeps its users in
memory, checks each request's caps like RGW, and refuses any request whose SigV4 signature botocore does not
compute the same over the query as RGW canonicalises it (one value per name, every name and value re-encoded).
"""

import copy
import json
import random
import string
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

from ansible_collections.wharf.registry.tests.unit.plugins.sigv4_botocore import authentic

ADMIN_ACCESS = "WHARFADMINACCESS0001"
ADMIN_SECRET = "wharf-admin-secret-0000000000000000000001"
ACCESS_TO_PERMISSIONS = {"read": "read", "write": "write", "readwrite": "read-write", "full": "full-control"}
EMPTY_QUOTA = {"enabled": False, "check_on_raw": False, "max_size": -1, "max_size_kb": 0, "max_objects": -1}


def _random(size):
    return "".join(random.choice(string.ascii_letters + string.digits) for dummy in range(size))


class AdminOpsError(Exception):
    def __init__(self, status, code):
        super().__init__(code)
        self.status = status
        self.code = code


class FakeAdminOps:
    """The users of one RGW. `admin_caps` are the caps of the admin key's user; `requests` logs (method, query)."""

    def __init__(self, admin_caps="users=*", admin_secret=ADMIN_SECRET):
        self.admin_caps = dict(cap.split("=") for cap in admin_caps.split(";") if cap)
        self.admin_secret = admin_secret
        self.users = {}
        self.requests = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.endpoint = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # Headers and body leave in two writes: without this each answer waits for a delayed ACK.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def _serve(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = fake.handle(self.command, self.path, dict(self.headers), body)
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = _serve

        return Handler

    # The HTTP side

    def handle(self, method, target, headers, body):
        parts = urlsplit(target)
        args = {}
        for pair in parts.query.split("&") if parts.query else []:
            name, dummy, value = pair.partition("=")
            # RGW keeps one value per name (the last), and signs that one.
            args[unquote(name)] = unquote(value)
        self.requests.append((method, args))
        canonical = "&".join(
            "%s=%s" % (quote(name, safe="-_.~"), quote(value, safe="-_.~")) for name, value in sorted(args.items())
        )
        url = "http://%s%s%s" % (headers.get("Host"), parts.path, "?" + canonical if canonical else "")
        try:
            if not authentic(method, url, headers, body, ADMIN_ACCESS, self.admin_secret):
                raise AdminOpsError(403, "SignatureDoesNotMatch")
            if parts.path != "/admin/user":
                raise AdminOpsError(404, "NoSuchKey")
            return 200, self.dispatch(method, args)
        except AdminOpsError as exc:
            return exc.status, {"Code": exc.code, "RequestId": "tx000001", "HostId": "1019-default-default"}

    def dispatch(self, method, args):
        need = "read" if method == "GET" else "write"
        if self.admin_caps.get("users") not in (need, "*"):
            raise AdminOpsError(403, "AccessDenied")
        for sub in ("list", "quota", "caps", "key", "subuser"):
            if sub in args:
                return getattr(self, "%s_%s" % (method.lower(), sub), self.not_allowed)(args)
        return getattr(self, "%s_user" % method.lower())(args)

    @staticmethod
    def not_allowed(args):
        raise AdminOpsError(405, "MethodNotAllowed")

    def _user(self, args):
        user = self.users.get(args.get("uid"))
        if user is None:
            raise AdminOpsError(404, "NoSuchUser")
        return user

    @staticmethod
    def answer(user):
        """A user as the Admin Ops API answers it: with tenant, system and admin, which radosgw-admin leaves out."""
        result = {"tenant": "", "system": "false", "admin": "false"}
        result.update(copy.deepcopy(user))
        return result

    @staticmethod
    def _flag(args, name, default):
        return args.get(name, str(default).lower()) == "true"

    # Users

    def get_user(self, args):
        return self.answer(self._user(args))

    def get_list(self, args):
        uids = sorted(self.users)
        start = uids.index(args["marker"]) + 1 if args.get("marker") else 0
        page = uids[start : start + int(args.get("max-entries", 1000))]
        result = {"keys": page, "truncated": start + len(page) < len(uids), "count": len(page)}
        if result["truncated"]:
            result["marker"] = page[-1]
        return result

    def put_user(self, args):
        uid = args["uid"]
        if uid in self.users:
            raise AdminOpsError(409, "UserAlreadyExists")
        user = {
            "user_id": uid,
            "display_name": args["display-name"],
            "email": args.get("email", "").lower(),
            "suspended": 0,
            "max_buckets": int(args.get("max-buckets", 1000)),
            "subusers": [],
            "keys": [],
            "swift_keys": [],
            "caps": [],
            "op_mask": "read, write, delete",
            "default_placement": "",
            "default_storage_class": "",
            "placement_tags": [],
            "bucket_quota": dict(EMPTY_QUOTA),
            "user_quota": dict(EMPTY_QUOTA),
            "temp_url_keys": [],
            "type": "rgw",
            "mfa_ids": [],
        }
        if args.get("access-key"):
            user["keys"].append({"user": uid, "access_key": args["access-key"], "secret_key": args["secret-key"]})
        elif self._flag(args, "generate-key", True):
            user["keys"].append({"user": uid, "access_key": _random(20).upper(), "secret_key": _random(40)})
        self.users[uid] = user
        return self.answer(user)

    def post_user(self, args):
        user = self._user(args)
        if "display-name" in args:
            user["display_name"] = args["display-name"]
        if "email" in args:
            user["email"] = args["email"].lower()
        if "max-buckets" in args:
            user["max_buckets"] = int(args["max-buckets"])
        if "suspended" in args:
            user["suspended"] = int(self._flag(args, "suspended", False))
        return self.answer(user)

    def delete_user(self, args):
        del self.users[self._user(args)["user_id"]]

    # Caps: the answer is the caps, not the user.

    def put_caps(self, args):
        user = self._user(args)
        caps = {cap["type"]: cap["perm"] for cap in user["caps"]}
        caps.update(cap.split("=") for cap in args["user-caps"].split(";"))
        user["caps"] = [{"type": name, "perm": perm} for name, perm in sorted(caps.items())]
        return user["caps"]

    def delete_caps(self, args):
        user = self._user(args)
        drop = {cap.split("=")[0] for cap in args["user-caps"].split(";")}
        user["caps"] = [cap for cap in user["caps"] if cap["type"] not in drop]
        return user["caps"]

    # Quota: empty answer; what is not given stays.

    def put_quota(self, args):
        quota = self._user(args)[args["quota-type"] + "_quota"]
        if "max-size" in args:
            quota["max_size"] = int(args["max-size"])
            quota["max_size_kb"] = max(quota["max_size"], 0) // 1024
        if "max-objects" in args:
            quota["max_objects"] = int(args["max-objects"])
        quota["enabled"] = self._flag(args, "enabled", quota["enabled"])

    # Keys: the answer is the user's keys of that type.

    def put_key(self, args):
        user = self._user(args)
        if args.get("key-type", "s3") == "swift":
            secret = args.get("secret-key") or _random(40)
            user["swift_keys"] = [k for k in user["swift_keys"] if k["user"] != args["subuser"]]
            user["swift_keys"].append({"user": args["subuser"], "secret_key": secret})
            return user["swift_keys"]
        user["keys"] = [k for k in user["keys"] if k["access_key"] != args["access-key"]]
        user["keys"].append(
            {"user": user["user_id"], "access_key": args["access-key"], "secret_key": args["secret-key"]}
        )
        return user["keys"]

    def delete_key(self, args):
        user = self._user(args)
        if args.get("key-type", "s3") == "swift":
            user["swift_keys"] = [k for k in user["swift_keys"] if k["user"] != args["subuser"]]
            return
        if not [k for k in user["keys"] if k["access_key"] == args["access-key"]]:
            raise AdminOpsError(403, "InvalidAccessKeyId")
        user["keys"] = [k for k in user["keys"] if k["access_key"] != args["access-key"]]

    # Subusers: the answer is the subusers.

    def put_subuser(self, args):
        user = self._user(args)
        if args["access"] not in ACCESS_TO_PERMISSIONS:
            raise AdminOpsError(400, "InvalidArgument")
        user["subusers"] = [s for s in user["subusers"] if s["id"] != args["subuser"]]
        user["subusers"].append({"id": args["subuser"], "permissions": ACCESS_TO_PERMISSIONS[args["access"]]})
        self.put_key(dict(args, **{"key-type": "swift"}))
        return user["subusers"]

    def post_subuser(self, args):
        user = self._user(args)
        for subuser in user["subusers"]:
            if subuser["id"] == args["subuser"]:
                subuser["permissions"] = ACCESS_TO_PERMISSIONS[args["access"]]
        return user["subusers"]

    def delete_subuser(self, args):
        user = self._user(args)
        user["subusers"] = [s for s in user["subusers"] if s["id"] != args["subuser"]]
        # Trap: Pacific and Reef remove the subuser's swift key whatever purge-keys says (radosgw-admin too).
        self.delete_key(dict(args, **{"key-type": "swift"}))
