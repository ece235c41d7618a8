# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The parsing filters on what the roles really read, and on the inputs that broke ad-hoc Jinja before."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.wharf.registry.plugins.filter.parse import (
    FilterModule,
    docker_image_tag,
    version_major,
    version_number,
    without_secrets,
)

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    "image, tag",
    [
        ("registry:3.1.2", "3.1.2"),
        ("docker.io/library/registry:2.8.3", "2.8.3"),
        ("host:5000/registry:3.1.2", "3.1.2"),
        ("host:5000/registry", ""),
        ("[::1]:5000/team/registry:v3.0.0", "v3.0.0"),
        ("registry@" + DIGEST, ""),
        ("host:5000/registry:2.8.2@" + DIGEST, "2.8.2"),
        ("registry:latest", "latest"),
        ("registry", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_image_tag(image, tag):
    assert docker_image_tag(image) == tag


@pytest.mark.parametrize(
    "text, number",
    [
        ("2.29.7", "2.29.7"),
        ("v2.20.2\n", "2.20.2"),
        ("Docker Compose version v2.29.7", "2.29.7"),
        ("2.26.1+ds1-0+deb13u1", "2.26.1"),
        ("docker-compose version 1.29.2, build unknown", "1.29.2"),
        # registry --version of the lab's 3.x and 2.8 images: the v3 of the module path is not the version.
        ("registry github.com/distribution/distribution/v3 v3.1.2", "3.1.2"),
        ("registry github.com/docker/distribution 2.8.3+ds1", "2.8.3"),
        ("3.0.0-rc.1", "3.0.0"),
        ("2", "2"),
        ("latest", ""),
        ("1.2.3abc", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_version_number(text, number):
    assert version_number(text) == number


@pytest.mark.parametrize(
    "text, major",
    [
        ("3.1.2", 3),
        ("v2.8.3", 2),
        ("2", 2),
        ("v3", 3),
        ("registry github.com/distribution/distribution/v3 v3.1.2", 3),
        ("registry github.com/docker/distribution 2.8.2+ds1", 2),
        ("latest", 0),
        ("edge-2.8", 0),
        ("", 0),
        (None, 0),
    ],
)
def test_version_major(text, major):
    assert version_major(text) == major


def test_image_tag_and_major_together_read_a_registry_image():
    assert version_major(docker_image_tag("host:5000/registry:3.1.2@" + DIGEST)) == 3
    assert version_major(docker_image_tag("registry@" + DIGEST)) == 0


def test_without_secrets_drops_the_secret_and_says_whether_it_was_there():
    registries = [
        {"host": "a:5000", "username": "u", "password": "p$ ~ % 'q' Ü"},
        {"host": "b:5000", "insecure": True},
        {"host": "c:5000", "password": ""},
        {"host": "d:5000", "password": None},
    ]
    assert without_secrets(registries) == [
        {"host": "a:5000", "username": "u", "has_password": True},
        {"host": "b:5000", "insecure": True, "has_password": False},
        {"host": "c:5000", "has_password": False},
        {"host": "d:5000", "has_password": False},
    ]
    # The input is left as it was: the login loop still needs the passwords.
    assert registries[0]["password"] == "p$ ~ % 'q' Ü"


def test_without_secrets_takes_other_keys_and_empty_lists():
    assert without_secrets([{"name": "n", "token": "t", "key": "k"}], ["token", "key"]) == [
        {"name": "n", "has_token": True, "has_key": True}
    ]
    assert without_secrets([{"name": "n", "token": "t"}], "token") == [{"name": "n", "has_token": True}]
    assert without_secrets([]) == []
    assert without_secrets(None) == []


def test_without_secrets_refuses_what_is_not_a_list_of_dicts():
    with pytest.raises(AnsibleFilterError, match="list of dicts"):
        without_secrets(["a:5000"])


def test_the_filters_are_registered_under_their_names():
    assert set(FilterModule().filters()) == {"docker_image_tag", "version_number", "version_major", "without_secrets"}
