# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small record of what a module will change, and the masking that keeps secrets out of it, shared by every
wharf.registry module.

Private to this collection: no compatibility promise outside it.
"""

import re

MASK = "********"

_SCHEME = r"[A-Za-z][A-Za-z0-9+.-]*://"
# A URL's scheme and authority (proxies, mirrors: scheme://user:password@host:port). The authority ends at the first
# /, ? or #, at whitespace, or where the next URL starts (a comma-joined list).
URL_AUTHORITY = re.compile(r"(%s)((?:(?!%s)[^/?#\s])*)" % (_SCHEME, _SCHEME))


class DifferenceTracker:
    """Collects (name, before, after) for the options a module decided to change.

    Secret values are never stored: the tracker keeps only whether they change, so a diff cannot leak them.
    """

    def __init__(self):
        self._items = []

    def add(self, name, before, after, secret=False):
        """Record one difference; values that compare equal are ignored so callers can add unconditionally."""
        if before == after:
            return False
        if secret:
            before = MASK if before is not None else None
            after = MASK + " (changed)" if after is not None else None
        self._items.append((name, before, after))
        return True

    def __bool__(self):
        return bool(self._items)

    def names(self):
        return [name for name, dummy_before, dummy_after in self._items]

    def diff(self, before_header=None, after_header=None):
        """The diff in Ansible's before/after form, holding only the options that change."""
        before = {}
        after = {}
        for name, old, new in self._items:
            before[name] = old
            after[name] = new
        result = {"before": before, "after": after}
        if before_header:
            result["before_header"] = before_header
        if after_header:
            result["after_header"] = after_header
        return result


def split_authority(authority):
    """(user, password, host) of a URL's authority; password is None without one.

    The userinfo is everything before the authority's last @, as Go's net/url (dockerd's proxy settings) reads it, so a
    password may hold an @; the password is what follows the userinfo's first colon.
    """
    userinfo, at, host = authority.rpartition("@")
    user, colon, password = userinfo.partition(":")
    if not (at and colon):
        return userinfo or None, None, host
    return user, password, host


def url_passwords(value):
    """The passwords of every URL in value's strings (nested dicts and lists too), as a set."""
    if isinstance(value, dict):
        return set().union(*[url_passwords(item) for item in value.values()])
    if isinstance(value, list):
        return set().union(*[url_passwords(item) for item in value])
    if isinstance(value, str):
        passwords = (split_authority(match.group(2))[1] for match in URL_AUTHORITY.finditer(value))
        return {password for password in passwords if password}
    return set()


def _mask_authority(match):
    user, password, host = split_authority(match.group(2))
    if not password:
        return match.group(0)
    return "%s%s:%s@%s" % (match.group(1), user, MASK, host)


def mask_url_passwords(value):
    """value with the whole password of every URL (scheme://user:password@host) in its strings replaced by MASK.

    Works on single values and on text holding URLs (a JSON file, a message), nested dicts and lists too.
    """
    if isinstance(value, dict):
        return {key: mask_url_passwords(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_url_passwords(item) for item in value]
    if isinstance(value, str):
        return URL_AUTHORITY.sub(_mask_authority, value)
    return value
