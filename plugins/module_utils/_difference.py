# -*- coding: utf-8 -*-
# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small record of what a module will change, and the masking that keeps secrets out of it, shared by every
wharf.registry module.

Private to this collection: no compatibility promise outside it.
"""

import re

MASK = "********"

# Passwords in URLs (proxies, mirrors: scheme://user:password@host).
URL_PASSWORD = re.compile(r'(://[^/@\s":]+:)[^/@\s"]+@')


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


def mask_url_passwords(value):
    """value with the password of every URL (scheme://user:password@host) in its strings replaced by MASK."""
    if isinstance(value, dict):
        return {key: mask_url_passwords(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_url_passwords(item) for item in value]
    if isinstance(value, str):
        return URL_PASSWORD.sub(r"\1" + MASK + "@", value)
    return value
