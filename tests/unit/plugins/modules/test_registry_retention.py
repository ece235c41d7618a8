# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""registry_retention against the loopback stand-in of fake_registry, which answers as a real registry 3.1.2 was
recorded answering (fixtures/registry_api): which tags each kind of rule keeps, digests shared with kept tags,
indexes and their platform images, pagination of the catalog and the tag lists, check mode, Basic auth and TLS with
a CA file, and bad input that fails before anything is deleted. A deleting case runs dry run → check → apply →
apply again. The module against the real registry image is tests/integration/test_registry_retention.py."""

import datetime
import json

import pytest

from ansible_collections.wharf.registry.plugins.modules.registry_retention import SHARED, main, parse_age, parse_created
from ansible_collections.wharf.registry.tests.unit.plugins.fake_registry import (
    DOCKER_LIST,
    DOCKER_MANIFEST,
    FakeRegistry,
    load_recording,
)

PASSWORD = "retention 'q' \"u\" $HOME ~ % `x`"
USERS = {"ci": PASSWORD}
CI_AND_SEMVER = {"repositories": "app", "tag_pattern": "ci-.*", "keep_last": 3, "keep_tags": r"v?\d+\.\d+\.\d+"}


def created(day, hour=0):
    return "2026-11-%02dT%02d:00:00.123456789Z" % (day, hour)


@pytest.fixture(name="fake")
def fixture_fake():
    registry = FakeRegistry(users=USERS)
    yield registry
    registry.close()


@pytest.fixture(name="run")
def fixture_run(run_module):
    def run_with(fake, policies, check_mode=False, diff=False, **params):
        args = dict(url=fake.url, username="ci", password=PASSWORD, policies=policies)
        args.update(params)
        before = len(fake.requests)
        done = run_module(main, args, check_mode, diff)
        done.requests = fake.requests[before:]
        assert PASSWORD not in json.dumps(done.result)
        return done

    return run_with


def blobs_of(fake, repository, digest):
    """{digest: size} of the config and layers the fake holds for a manifest."""
    body = json.loads(fake.repositories[repository]["manifests"][digest][1])
    return {entry["digest"]: entry["size"] for entry in [body["config"]] + body["layers"]}


def four_runs(run, fake, policies, **params):
    """dry run → check mode → apply → apply again; the first three must plan the same, only the third delete."""
    dry = run(fake, policies, **params)
    check = run(fake, policies, check_mode=True, diff=True, delete=True, **params)
    applied = run(fake, policies, diff=True, delete=True, **params)
    again = run(fake, policies, delete=True, **params)
    assert not dry.failed and not check.failed and not applied.failed and not again.failed, applied.result
    assert [r.result["changed"] for r in (dry, check, applied, again)] == [False, True, True, False]
    assert [r.result["deleted"] for r in (dry, check, applied, again)] == [False, False, True, False]
    assert dry.result["repositories"] == check.result["repositories"] == applied.result["repositories"]
    assert check.result["diff"] == applied.result["diff"]
    for done in (dry, check, again):
        assert [method for method, path in done.requests if method != "GET"] == []
    assert again.result["tags_deleted"] == again.result["digests_deleted"] == 0
    return applied


def freed_bytes(fake, repository, doomed, kept):
    """What the deleted manifests' blobs add up to, less the blobs a kept manifest references."""
    keep = {}
    for digest in kept:
        keep.update(blobs_of(fake, repository, digest))
    freed = {}
    for digest in doomed:
        freed.update({blob: size for blob, size in blobs_of(fake, repository, digest).items() if blob not in keep})
    return sum(freed.values())


def test_keep_the_last_ci_tags_and_every_semver_tag(run, fake):
    shared = fake.blob(b"shared layer" * 100)
    digests = {}
    for number in range(1, 8):
        own = fake.blob(b"own %d" % number * 10)
        digests["ci-%d" % number] = fake.image("app", "ci-%d" % number, created(number), [shared, own])["digest"]
    for tag in ("1.0.0", "v2.1.0"):
        digests[tag] = fake.image("app", tag, created(1), [shared])["digest"]
    digests["feature-x"] = fake.image("app", "feature-x", created(20), [shared])["digest"]
    fake.image("other", "ci-1", created(1), [shared])  # no rule matches: untouched
    # feature-x is the most recent image, but no rule keeps it: tags no rule keeps are deleted.
    doomed = ["feature-x", "ci-4", "ci-3", "ci-2", "ci-1"]
    kept = ["ci-7", "ci-6", "ci-5", "v2.1.0", "1.0.0"]
    expected_bytes = freed_bytes(fake, "app", [digests[t] for t in doomed], [digests[t] for t in kept])

    applied = four_runs(run, fake, [CI_AND_SEMVER])
    [plan] = applied.result["repositories"]
    assert plan["name"] == "app" and plan["kept_tags"] == kept
    assert plan["kept_why"] == dict([(tag, "keep_last") for tag in kept[:3]] + [(tag, "keep_tags") for tag in kept[3:]])
    assert plan["tags_deleted"] == doomed and plan["digests_deleted"] == [digests[tag] for tag in doomed]
    assert fake.deletes() == [digests[tag] for tag in doomed]
    # The shared layer stays referenced by kept images: only the configs and own layers count.
    assert plan["bytes"] == applied.result["bytes"] == expected_bytes > 0
    assert applied.result["tags_deleted"] == applied.result["digests_deleted"] == 5
    diff = applied.result["diff"]
    assert sorted(diff["before"]["app"]) == sorted(digests) and diff["after"] == {"app": kept}
    assert diff["before"]["app"][:2] == ["feature-x", "ci-7"]  # most recent first
    assert fake.tags("app") == sorted(kept) and fake.tags("other") == ["ci-1"]


def test_a_digest_a_kept_tag_shares_is_never_deleted(run, fake):
    old = fake.image("app", "ci-1", created(1))["digest"]
    fake.repositories["app"]["tags"]["stable"] = old  # an old build promoted: kept by keep_tags
    twice = fake.image("app", "ci-2", created(2))["digest"]
    fake.repositories["app"]["tags"]["ci-2-again"] = twice  # two doomed tags, one manifest
    newest = fake.image("app", "ci-3", created(3))["digest"]
    policy = {"repositories": "app", "tag_pattern": "ci-.*", "keep_last": 1, "keep_tags": "stable"}

    applied = four_runs(run, fake, [policy])
    [plan] = applied.result["repositories"]
    assert plan["kept_why"] == {"ci-3": "keep_last", "stable": "keep_tags", "ci-1": SHARED}
    assert plan["tags_deleted"] == ["ci-2-again", "ci-2"] and plan["digests_deleted"] == [twice]
    assert fake.deletes() == [twice]
    assert fake.tags("app") == ["ci-1", "ci-3", "stable"]
    assert set(fake.repositories["app"]["manifests"]) == {old, newest}


def test_an_index_is_as_recent_as_its_newest_platform_image_and_goes_with_its_platform_images(run, fake):
    common = fake.image("app", None, created(9))  # a platform image both indexes list
    arm_old = fake.image("app", None, created(2))
    amd_new = fake.image("app", None, created(10), media_type=DOCKER_MANIFEST)
    arm_new = fake.image("app", None, created(11))
    # Built on day 11, although one of its platform images is older than every image of "old".
    recent = fake.index("app", "recent", [common, arm_new])["digest"]
    # An index may list a platform image the repository does not hold (pushed elsewhere, or never): it is skipped.
    missing = {"mediaType": DOCKER_MANIFEST, "digest": "sha256:" + "1" * 64, "size": 1}
    old = fake.index("app", "old", [common, arm_old, missing], media_type=DOCKER_LIST)["digest"]
    middle = fake.index("app", "middle", [amd_new], media_type=DOCKER_LIST)["digest"]
    policy = {"repositories": "app", "keep_last": 2}
    expected_bytes = sum(blobs_of(fake, "app", arm_old["digest"]).values())

    applied = four_runs(run, fake, [policy])
    [plan] = applied.result["repositories"]
    assert plan["kept_tags"] == ["recent", "middle"] and plan["tags_deleted"] == ["old"]
    # The index first, then the platform image no kept index lists; the shared one stays.
    assert plan["digests_deleted"] == [old, arm_old["digest"]] == fake.deletes()
    assert plan["bytes"] == expected_bytes
    assert set(fake.repositories["app"]["manifests"]) == {
        recent,
        middle,
        common["digest"],
        amd_new["digest"],
        arm_new["digest"],
    }


def test_age_and_keep_digests_keep_tags_measured_by_the_registry_clock(run, fake):
    # The fake registry's Date is 2026-12-01 12:00 GMT.
    yesterday = fake.image("app", "yesterday", "2026-11-30T13:00:00+01:00")["digest"]
    fake.image("app", "last-week", created(24))
    production = fake.image("app", "prod-build", created(1))["digest"]
    undated = fake.image("app", "undated", None)["digest"]
    policy = {"repositories": "app", "keep_younger_than": "1d12h"}

    applied = four_runs(run, fake, [policy], keep_digests=[production])
    [plan] = applied.result["repositories"]
    assert plan["kept_why"] == {"yesterday": "keep_younger_than", "prod-build": "keep_digests"}
    # An image without created counts as the oldest.
    assert plan["tags_deleted"] == ["last-week", "undated"] and undated in plan["digests_deleted"]
    assert fake.tags("app") == ["prod-build", "yesterday"] and yesterday in fake.repositories["app"]["manifests"]


def test_every_page_of_the_catalog_and_the_tag_lists(run, fake):
    for number in range(5):
        fake.image("team/app-%d" % number, "keep", created(1))
    for number in range(7):
        fake.image("team/app-2", "ci-%d" % number, created(number + 1))
    fake.image("unrelated", "x", created(1))
    policy = {"repositories": "team/.*", "tag_pattern": "ci-.*", "keep_last": 2, "keep_tags": "keep"}

    done = run(fake, [policy], page_size=2)
    assert not done.failed, done.result
    catalog = [path for method, path in done.requests if "/_catalog" in path]
    # 6 repositories, 2 a page; each next page is the one the Link header names.
    assert catalog == ["/v2/_catalog?n=2", "/v2/_catalog?last=team%2Fapp-1&n=2", "/v2/_catalog?last=team%2Fapp-3&n=2"]
    assert [plan["name"] for plan in done.result["repositories"]] == ["team/app-%d" % n for n in range(5)]
    assert len([path for method, path in done.requests if path.startswith("/v2/team/app-2/tags/list")]) == 4
    plan = done.result["repositories"][2]
    assert plan["kept_tags"] == ["ci-6", "ci-5", "keep"] and plan["tags_deleted"] == [
        "ci-%d" % n for n in range(4, -1, -1)
    ]
    # Named repositories skip the catalog.
    named = run(fake, [policy], repositories=["team/app-2"], page_size=2)
    assert [p["name"] for p in named.result["repositories"]] == ["team/app-2"]
    assert not [path for method, path in named.requests if "/_catalog" in path]


def test_the_link_header_is_read_as_the_registry_writes_it():
    recorded = load_recording()
    assert recorded["catalog_first_page"]["headers"]["link"] == '</v2/_catalog?last=rec%2Fapp&n=1>; rel="next"'
    assert "link" not in recorded["catalog_last_page"]["headers"]
    fake = FakeRegistry()
    try:
        fake.image("rec/app", "a", created(1))
        fake.image("rec/other", "x", created(1))
        status, headers, body = fake.handle("GET", "/v2/_catalog?n=1", {})
        assert headers["link"] == recorded["catalog_first_page"]["headers"]["link"]
        assert json.loads(body) == json.loads(recorded["catalog_first_page"]["body"])
    finally:
        fake.close()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"repositories": "app("}, "policies[0].repositories is not a regular expression that compiles"),
        ({"tag_pattern": "ci-[0-9"}, "policies[0].tag_pattern is not a regular expression that compiles"),
        ({"keep_tags": "*latest"}, "policies[0].keep_tags is not a regular expression that compiles"),
        ({"keep_last": -1}, "policies[0].keep_last must be 0 or more, not -1."),
        ({"keep_younger_than": "7 days"}, "policies[0].keep_younger_than is '7 days', not an age like 7d"),
        ({"keep_last": None, "keep_tags": None}, "policies[0] keeps nothing: set keep_last"),
    ],
)
def test_bad_input_fails_with_one_sentence_before_any_request(run, fake, change, message):
    fake.image("app", "ci-1", created(1))
    policy = dict(CI_AND_SEMVER)
    policy.update(change)
    done = run(fake, [policy], delete=True)
    assert done.failed and done.result["msg"].startswith(message), done.result["msg"]
    assert done.requests == [] and fake.tags("app") == ["ci-1"]


def test_a_named_repository_that_does_not_exist_fails_and_nothing_is_deleted(run, fake):
    fake.image("app", "ci-1", created(1))
    fake.image("app", "ci-2", created(2))
    policy = {"repositories": ".*", "keep_last": 1}
    done = run(fake, [policy], delete=True, repositories=["app", "apq"])
    assert done.failed and done.result["msg"] == "repository apq does not exist in the registry."
    assert fake.deletes() == [] and fake.tags("app") == ["ci-1", "ci-2"]
    done = run(fake, [{"repositories": "app", "keep_last": 1}], delete=True, repositories=["other"])
    assert done.failed and done.result["msg"] == "repository other matches no rule of policies."
    done = run(fake, [policy], delete=True, keep_digests=["sha256:abc"])
    assert done.failed and "keep_digests holds 'sha256:abc'" in done.result["msg"] and done.requests == []


def test_wrong_credentials_and_deletes_disabled_fail_with_one_sentence(run, fake):
    fake.image("app", "ci-1", created(1))
    fake.image("app", "ci-2", created(2))
    policy = {"repositories": ".*", "keep_last": 1}
    done = run(fake, [policy], delete=True, password="wrong")
    assert done.failed and done.result["status"] == 401 and done.result["code"] == "UNAUTHORIZED"
    assert done.result["msg"].endswith("The registry refused the credentials (username, password).")
    fake.delete_enabled = False
    done = run(fake, [policy], delete=True)
    assert done.failed and done.result["status"] == 405 and done.result["deleted_digests"] == []
    assert "The registry does not allow deletes (storage.delete.enabled)." in done.result["msg"]
    assert fake.tags("app") == ["ci-1", "ci-2"]


def test_https_with_a_ca_file(run_module, tmp_path):
    ca_path, tls = make_pki(tmp_path)
    fake = FakeRegistry(users=USERS, tls=tls)
    try:
        fake.image("app", "ci-1", created(1))
        fake.image("app", "ci-2", created(2))
        args = dict(url=fake.url, username="ci", password=PASSWORD, policies=[{"repositories": "app", "keep_last": 1}])
        untrusted = run_module(main, args)
        assert untrusted.failed and "CERTIFICATE_VERIFY_FAILED" in untrusted.result["msg"]
        done = run_module(main, dict(args, ca_path=str(ca_path), delete=True))
        assert not done.failed and done.result["repositories"][0]["tags_deleted"] == ["ci-1"]
        assert fake.tags("app") == ["ci-2"]
    finally:
        fake.close()


def test_ages_and_created_times():
    assert [parse_age(text) for text in ("7d", "12h", "1d12h", "2w", "90s", "1m")] == [
        604800,
        43200,
        129600,
        1209600,
        90,
        60,
    ]
    assert [parse_age(text) for text in ("", "7", "d", "7 d", "-1d", "1y", None)] == [None] * 7
    assert parse_created("2026-12-01T12:00:00Z") == 1796126400.0
    assert parse_created("2026-12-01T13:30:00.5+01:30") == 1796126400.5
    assert parse_created("2026-12-01T12:00:00.123456789Z") == pytest.approx(1796126400.123456789)
    assert [parse_created(value) for value in (None, "", "yesterday", 5)] == [None] * 4


def make_pki(tmp_path):
    """A CA and a certificate for localhost that it signed: (CA file, (certificate file, key file)).

    With the key identifiers and key usage a real CA (registry_pki's community.crypto) writes: Python 3.13 verifies
    with VERIFY_X509_STRICT, which refuses a certificate without an authority key identifier.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def certificate(subject, key, issuer, issuer_key, ca):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        )
        if ca:
            signs_certificates = x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            )
            builder = builder.add_extension(signs_certificates, critical=True)
        else:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate("wharf test CA", ca_key, "wharf test CA", ca_key, True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = certificate("localhost", key, "wharf test CA", ca_key, False)
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(pem))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return tmp_path / "ca.pem", (str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"))
