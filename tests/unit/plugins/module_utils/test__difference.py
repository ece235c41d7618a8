# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.wharf.registry.plugins.module_utils._difference import (
    MASK,
    DifferenceTracker,
    mask_url_passwords,
    split_authority,
    url_passwords,
)


def test_tracker_is_true_only_with_a_difference():
    tracker = DifferenceTracker()
    assert not tracker
    tracker.add("quota", 10, 10)
    assert not tracker
    tracker.add("quota", 10, 20)
    assert tracker
    assert tracker.names() == ["quota"]


def test_mask_url_passwords_in_nested_values():
    value = {
        "proxies": {"http-proxy": "http://bob:hunter2@proxy.example:3128", "no-proxy": "localhost"},
        "registry-mirrors": ["https://u:p%40ss@m.example", "https://m2.example"],
        "debug": True,
        "max-concurrent-downloads": 3,
    }
    assert mask_url_passwords(value) == {
        "proxies": {"http-proxy": "http://bob:%s@proxy.example:3128" % MASK, "no-proxy": "localhost"},
        "registry-mirrors": ["https://u:%s@m.example" % MASK, "https://m2.example"],
        "debug": True,
        "max-concurrent-downloads": 3,
    }
    assert value["proxies"]["http-proxy"] == "http://bob:hunter2@proxy.example:3128", "the input stays as it was"


def test_mask_url_passwords_leaves_text_without_a_password():
    text = '{"hosts": ["tcp://0.0.0.0:2375"], "insecure-registries": ["user@registry:5000"]}\n'
    assert mask_url_passwords(text) == text


@pytest.mark.parametrize(
    "text, masked",
    [
        # The userinfo ends at the authority's last @, so a password holding an @ is masked whole.
        ("http://bob:p@ss@proxy", "http://bob:%s@proxy" % MASK),
        ("http://bob:p@ss@proxy:3128/path?q=a@b", "http://bob:%s@proxy:3128/path?q=a@b" % MASK),
        ("http://u:p%40ss@proxy:3128", "http://u:%s@proxy:3128" % MASK),
        ("http://u:a:b$c'd\"e@proxy", "http://u:%s@proxy" % MASK),
        # Comma-joined and quoted lists, and messages that quote a URL.
        ("http://a:b@h1,https://c:d@h2", "http://a:%s@h1,https://c:%s@h2" % (MASK, MASK)),
        ("['http://a:x@y', 'z']", "['http://a:%s@y', 'z']" % MASK),
        ("proxy http://bob:p@ss@proxy refused", "proxy http://bob:%s@proxy refused" % MASK),
        # No password: nothing to mask.
        ("http://bob:@proxy", "http://bob:@proxy"),
        ("http://bob@proxy", "http://bob@proxy"),
        ("http://proxy:3128", "http://proxy:3128"),
        ("no-proxy: localhost,.example.com,10.0.0.0/8", "no-proxy: localhost,.example.com,10.0.0.0/8"),
    ],
)
def test_mask_url_passwords_masks_the_whole_password(text, masked):
    assert mask_url_passwords(text) == masked


def test_url_passwords_collects_every_password_of_nested_values():
    value = {
        "proxies": {
            "http-proxy": "http://bob:p@ss@proxy",
            "https-proxy": "https://u:p%40ss@proxy:3128",
            "no-proxy": "localhost",
        },
        "registry-mirrors": ["https://m:x$y@mirror", "https://mirror2"],
        "debug": True,
    }
    assert url_passwords(value) == {"p@ss", "p%40ss", "x$y"}
    assert url_passwords("http://bob@proxy http://proxy") == set()


@pytest.mark.parametrize(
    "authority, parts",
    [
        ("bob:p@ss@proxy:3128", ("bob", "p@ss", "proxy:3128")),
        ("bob:@proxy", ("bob", "", "proxy")),
        ("bob@proxy", ("bob", None, "proxy")),
        ("proxy:3128", (None, None, "proxy:3128")),
    ],
)
def test_split_authority(authority, parts):
    assert split_authority(authority) == parts
