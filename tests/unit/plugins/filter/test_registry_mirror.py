# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""registry_mirror's caches: one instance per upstream with its own storage prefix, the upstream list checked in
one sentence, and the storage clashes (distribution#4594) named."""

from ansible_collections.wharf.registry.plugins.filter.registry_mirror import (
    FilterModule,
    registry_mirror_access_problem,
    registry_mirror_clash,
    registry_mirror_instances,
    registry_mirror_problem,
)

SECRET = "pa$$ ~ % 'q' \"d\" Ü"
HANDOFF = {
    "backend": "s3",
    "endpoint": "http://rgw:7480",
    "bucket": "registry-mirror",
    "access_key": "AK",
    "secret_key": SECRET,
}
HUB = {"name": "hub", "url": "https://registry-1.docker.io", "username": "me", "password": SECRET}


def instances(upstreams, storage=None, host="m1", deployed=None, ttl=""):
    return registry_mirror_instances(
        upstreams,
        HANDOFF if storage is None else storage,
        host,
        "/etc/wharf/registry-mirror/",
        "/var/lib/wharf/registry-mirror",
        ttl,
        deployed,
    )


def test_one_instance_per_upstream_with_its_project_directories_port_and_proxy_section():
    hub, quay = instances([HUB, {"name": "quay", "url": "https://quay.io", "port": 5001, "ttl": "72h"}], ttl="168h")
    assert hub == {
        "name": "hub",
        "port": 5000,
        "project": "wharf-mirror-hub",
        "config_dir": "/etc/wharf/registry-mirror/hub",
        "data_dir": "/var/lib/wharf/registry-mirror/hub",
        "proxy": {"remoteurl": "https://registry-1.docker.io", "ttl": "168h", "username": "me", "password": SECRET},
        "storage": dict(HANDOFF, region="default", validate_certs=True, ca_cert="", rootdirectory="/m1/hub"),
    }
    assert quay["port"] == 5001
    assert quay["proxy"] == {"remoteurl": "https://quay.io", "ttl": "72h"}
    assert quay["storage"]["rootdirectory"] == "/m1/quay"


def test_a_given_rootdirectory_wins_and_a_hand_offs_own_is_the_base():
    assert instances([dict(HUB, rootdirectory="/hub")])[0]["storage"]["rootdirectory"] == "/hub"
    based = instances([HUB], storage=dict(HANDOFF, rootdirectory="/caches/"))[0]
    assert based["storage"]["rootdirectory"] == "/caches/m1/hub"


def test_filesystem_needs_no_prefix_and_without_a_hand_off_each_keeps_what_it_runs_with():
    assert instances([HUB], storage={"backend": "filesystem"})[0]["storage"] == {"backend": "filesystem"}
    kept = dict(HANDOFF, rootdirectory="/old/hub")
    settled = instances([HUB, {"name": "new", "url": "http://x"}], storage={}, deployed={"hub": kept})
    assert settled[0]["storage"] == dict(kept, region="default", validate_certs=True, ca_cert="")
    assert settled[1]["storage"] == {}
    # The CA the cache trusts for its storage comes with it (registry_config_info reads it); it stays too.
    with_ca = instances(
        [HUB, {"name": "new", "url": "http://x"}], storage={}, deployed={"hub": dict(kept, ca_cert="PEM")}
    )
    assert with_ca[0]["storage"]["ca_cert"] == "PEM" and with_ca[1]["storage"] == {}


def test_a_good_upstream_list_has_no_problem():
    assert registry_mirror_problem([HUB, {"name": "quay_io-2", "url": "http://quay", "port": 5001}]) == ""


def test_each_problem_is_one_sentence_end():
    assert registry_mirror_problem([]) == "must list the upstreams to cache, each {name, url}"
    assert registry_mirror_problem("hub") == "must list the upstreams to cache, each {name, url}"
    assert registry_mirror_problem([HUB, "quay"]) == "must list the upstreams to cache, each {name, url}"
    assert registry_mirror_problem([dict(HUB, name="Hub"), dict(HUB, name=None)]) == (
        "needs names of lowercase letters, digits, - and _ (for the compose project), not Hub, None"
    )
    assert registry_mirror_problem([dict(HUB, url="registry-1.docker.io")]) == (
        "needs an http:// or https:// url for hub"
    )
    assert registry_mirror_problem([HUB, dict(HUB, port=5001)]) == (
        "needs one cache per port and name, but repeats the names hub"
    )
    assert registry_mirror_problem([HUB, dict(HUB, name="hub2", port="5000")]) == (
        "needs one cache per port and name, but repeats the ports 5000"
    )


def test_a_cache_that_logs_in_upstream_without_users_is_named_first_in_one_sentence():
    quay = {"name": "quay", "url": "https://quay.io", "port": 5001}
    problem = registry_mirror_access_problem([quay, HUB], "m1")
    assert problem == (
        "The pull-through cache hub on m1 logs in to https://registry-1.docker.io as me, so anyone who reaches "
        "m1:5000 could pull every repository that account may read: give it readers of its own in "
        "registry_mirror_users (with TLS) and have clients docker login m1:5000 and pull by that name, or set "
        "registry_mirror_trusted_network: true if only trusted clients reach it."
    )
    assert SECRET not in problem


def test_an_anonymous_cache_is_open_too_and_users_or_a_trusted_network_close_every_cache():
    quay = {"name": "quay", "url": "https://quay.io", "port": 5001}
    assert registry_mirror_access_problem([quay], "m1").startswith(
        "The pull-through cache quay on m1 would serve anyone who reaches m1:5001 whatever https://quay.io holds, "
        "filling its storage: give it readers"
    )
    for closed in ({"users": [{"name": "pull", "password": SECRET}]}, {"trusted": True}):
        assert registry_mirror_access_problem([quay, HUB], "m1", **closed) == ""
    assert registry_mirror_access_problem([], "m1") == ""


def test_caches_with_their_own_prefixes_or_buckets_do_not_clash():
    caches = {
        "m1": instances([HUB]),
        "m2": instances([HUB], host="m2"),
        "m3": instances([HUB], storage=dict(HANDOFF, bucket="other"), host="m3"),
    }
    registries = {"r1": [dict(HANDOFF, bucket="registry"), {}], "r2": {}}
    assert registry_mirror_clash(caches, registries) == ""
    assert (
        registry_mirror_clash(
            {"m1": instances([HUB], storage={"backend": "filesystem"})}, {"r1": {"backend": "filesystem"}}
        )
        == ""
    )


def test_two_caches_on_one_bucket_and_prefix_clash():
    caches = {"m1": instances([HUB]), "m2": instances([dict(HUB, rootdirectory="/m1/hub/")], host="m2")}
    assert registry_mirror_clash(caches, {}) == (
        "The pull-through caches hub on m1 and hub on m2 would share the bucket registry-mirror at rootdirectory "
        "'/m1/hub', where each keeps its expiry schedule in one file (distribution#4594): give each its own "
        "rootdirectory or bucket."
    )


def test_a_cache_in_a_registrys_bucket_clashes_whatever_its_prefix():
    registries = {"r1": [{}, dict(HANDOFF, endpoint="http://rgw:7480/")]}
    assert registry_mirror_clash({"m1": instances([HUB])}, registries) == (
        "The pull-through cache hub on m1 would use the bucket registry-mirror of the registry on r1, whose images "
        "its expiry could delete (distribution#4594): give the mirrors their own bucket "
        "(registry_storage_mirror_bucket)."
    )


def test_the_filters_are_registered_under_their_names():
    assert set(FilterModule().filters()) == {
        "registry_mirror_problem",
        "registry_mirror_access_problem",
        "registry_mirror_instances",
        "registry_mirror_clash",
    }
