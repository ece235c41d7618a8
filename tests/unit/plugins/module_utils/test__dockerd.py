# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which dockerd flags a host's systemd unit, drop-ins, environment files or /etc/default/docker set, read from
files in a temporary directory only (confined_flag_reads fails any look elsewhere)."""

import pytest

from ansible_collections.wharf.registry.plugins.module_utils import _dockerd

pytestmark = pytest.mark.usefixtures("confined_flag_reads")

# Debian's docker.io unit, with its environment file under the test's root (see Root.debian_unit).
DEBIAN_UNIT = """[Unit]
Description=Docker Application Container Engine
After=network-online.target docker.socket firewalld.service containerd.service

[Service]
Type=notify
EnvironmentFile=-/etc/default/%p
ExecStart=/usr/sbin/dockerd -H fd:// $DOCKER_OPTS
ExecReload=/bin/kill -s HUP $MAINPID
"""


@pytest.fixture
def root(tmp_path):
    """A fake root: unit directories and the defaults file, all empty at first."""

    class Root:
        etc_units = tmp_path / "etc" / "systemd" / "system"
        lib_units = tmp_path / "lib" / "systemd" / "system"
        defaults = tmp_path / "etc" / "default" / "docker"
        lib_unit = lib_units / "docker.service"

        def flags(self):
            return _dockerd.DockerdFlagReader(
                "docker.service", [str(self.etc_units), str(self.lib_units)], str(self.defaults)
            ).flags()

        def unit(self, directory, name, text):
            directory.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(text)
            return str(directory / name)

        def debian_unit(self, text=DEBIAN_UNIT):
            return self.unit(self.lib_units, "docker.service", text.replace("/etc/default", str(self.defaults.parent)))

        def dropin(self, directory, name, text):
            return self.unit(directory / "docker.service.d", name, text)

        def write_defaults(self, text):
            self.defaults.parent.mkdir(parents=True, exist_ok=True)
            self.defaults.write_text(text)

    return Root()


def test_debian_unit_with_default_file(root):
    unit = root.debian_unit()
    root.write_defaults('# Options for dockerd\nDOCKER_OPTS="--insecure-registry registry.old:5000 --debug"\n')
    assert root.flags() == {
        "hosts": ("-H", unit),
        "insecure-registries": ("--insecure-registry", str(root.defaults)),
        "debug": ("--debug", str(root.defaults)),
    }


def test_debian_unit_without_default_file_sets_only_hosts(root):
    assert root.flags() == {}
    unit = root.debian_unit()
    assert root.flags() == {"hosts": ("-H", unit)}


def test_dropin_adds_flags_with_continuation_lines_and_prefix(root):
    root.debian_unit()
    dropin = root.dropin(
        root.etc_units,
        "registry.conf",
        "[Service]\nExecStart=\nExecStart=-/usr/bin/dockerd \\\n"
        "    --registry-mirror=https://m.example \\\n    -Hfd://\n",
    )
    assert root.flags() == {"registry-mirrors": ("--registry-mirror", dropin), "hosts": ("-H", dropin)}


def test_dropin_resetting_execstart_removes_the_unit_flags(root):
    root.debian_unit(DEBIAN_UNIT.replace("$DOCKER_OPTS", "--insecure-registry=a:5000"))
    assert "insecure-registries" in root.flags()
    root.dropin(root.etc_units, "override.conf", "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd\n")
    assert root.flags() == {}


def test_higher_priority_dropin_with_same_name_wins(root):
    root.debian_unit()
    lib_dropin = root.dropin(root.lib_units, "flags.conf", '[Service]\nEnvironment="DOCKER_OPTS=--label=a=b"\n')
    assert root.flags()["labels"] == ("--label", lib_dropin)
    root.dropin(root.etc_units, "flags.conf", '[Service]\nEnvironment="DOCKER_OPTS="\n')
    assert "labels" not in root.flags()


def test_flags_from_a_variable_name_the_file_that_sets_it(root):
    unit = root.debian_unit()
    dropin = root.dropin(
        root.etc_units, "flags.conf", '[Service]\nEnvironment="DOCKER_OPTS=--insecure-registry a:5000"\n'
    )
    assert root.flags() == {"insecure-registries": ("--insecure-registry", dropin), "hosts": ("-H", unit)}


def test_environment_file_wins_over_environment(root, tmp_path):
    env_file = tmp_path / "docker.env"
    env_file.write_text("DOCKER_OPTS=--exec-opt native.cgroupdriver=cgroupfs\n")
    root.unit(
        root.lib_units,
        "docker.service",
        "[Service]\nEnvironmentFile=%s\nEnvironment=DOCKER_OPTS=\nExecStart=/usr/sbin/dockerd $DOCKER_OPTS\n"
        % env_file,
    )
    assert root.flags() == {"exec-opts": ("--exec-opt", str(env_file))}


def test_a_missing_required_environment_file_is_an_error(root, tmp_path):
    missing = tmp_path / "nope.env"
    root.unit(
        root.lib_units, "docker.service", "[Service]\nEnvironmentFile=%s\nExecStart=/usr/sbin/dockerd\n" % missing
    )
    with pytest.raises(_dockerd.DockerdFlagsError) as caught:
        root.flags()
    assert str(caught.value).startswith("Cannot read %s, which docker.service needs: " % missing)


def test_environment_file_names_expand_unit_specifiers(tmp_path):
    (tmp_path / "docker@blue").write_text("DOCKER_OPTS=--debug\n")
    (tmp_path / "docker@blue.service").write_text("DOCKER_OPTS=--label=x=y\n")
    units = tmp_path / "units"
    units.mkdir()
    (units / "docker@blue.service").write_text(
        "[Service]\nEnvironmentFile=%s/%%N\nEnvironmentFile=%s/%%n\nEnvironmentFile=-%s/%%p\n"
        "ExecStart=/usr/bin/dockerd $DOCKER_OPTS --data-root=/srv/docker\n" % (tmp_path, tmp_path, tmp_path)
    )
    flags = _dockerd.DockerdFlagReader("docker@blue.service", [str(units)], str(tmp_path / "defaults")).flags()
    assert flags == {
        "labels": ("--label", str(tmp_path / "docker@blue.service")),
        "data-root": ("--data-root", str(units / "docker@blue.service")),
    }


def test_unit_without_environment_file_ignores_the_defaults_file(root):
    unit = root.unit(
        root.lib_units,
        "docker.service",
        "[Service]\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n",
    )
    root.write_defaults('DOCKER_OPTS="--insecure-registry a:5000"\n')
    assert root.flags() == {"hosts": ("-H", unit), "containerd": ("--containerd", unit)}


def test_without_a_unit_the_defaults_file_counts(root):
    root.write_defaults('export DOCKER_OPTS="-D --insecure-registry a:5000"\n')
    assert root.flags() == {
        "debug": ("-D", str(root.defaults)),
        "insecure-registries": ("--insecure-registry", str(root.defaults)),
    }


def test_no_unit_and_no_defaults_file_means_no_flags(root):
    assert root.flags() == {}


def test_unit_file_lines_drop_comments_and_join_continuations():
    text = "# comment\n; also a comment\n[Service]\nExecStart=/usr/bin/dockerd \\\n  -D \\\n  -H fd://\nType=notify\n"
    assert [line.split() for line in _dockerd.unit_file_lines(text)] == [
        ["[Service]"],
        ["ExecStart=/usr/bin/dockerd", "-D", "-H", "fd://"],
        ["Type=notify"],
    ]
    assert [line.split() for line in _dockerd.unit_file_lines("ExecStart=dockerd \\\n")] == [["ExecStart=dockerd"]]


def test_service_settings_read_only_the_service_section():
    text = "[Unit]\nExecStart=not-this\n[Service]\nType=notify\nEnvironment = A=1\n[Install]\nWantedBy=x\n"
    assert _dockerd.service_settings(text) == [("Type", "notify"), ("Environment", "A=1")]


def test_parse_environment_file():
    text = (
        "# comment\n; comment\n\nexport A=\"one two\"\nB='$HOME ~ %'\nC=plain # trailing comment\n"
        'D="unbalanced\nnot an assignment\n'
    )
    assert _dockerd.parse_environment_file(text) == {"A": "one two", "B": "$HOME ~ %", "C": "plain", "D": '"unbalanced'}


@pytest.mark.parametrize(
    "command, flags",
    [
        ("/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock", ["-H", "--containerd"]),
        ("-/usr/bin/dockerd -D --log-level=warn", ["-D", "--log-level"]),
        ("/usr/bin/docker daemon --insecure-registry a:5000", ["--insecure-registry"]),
        ("/usr/bin/containerd --config x", []),
        ('/bin/sh -c "dockerd --debug"', []),
    ],
)
def test_dockerd_flags(command, flags):
    assert _dockerd.dockerd_flags([word for word, dummy in _dockerd.expand_words(command, {})]) == flags


def test_expand_words_splits_dollar_var_but_not_braced():
    env = {"OPTS": "--debug --label a=b", "ONE": "x y"}
    assert _dockerd.expand_words("dockerd $OPTS --data-root=${ONE}", env) == [
        ("dockerd", None),
        ("--debug", None),
        ("--label", None),
        ("a=b", None),
        ("--data-root=x y", None),
    ]
    assert _dockerd.expand_words("dockerd $MISSING", {}) == [("dockerd", None)]


def test_expand_words_name_the_file_each_word_came_from():
    words = _dockerd.expand_words(
        "dockerd -H fd:// $OPTS ${ONE}", {"OPTS": "--debug", "ONE": "--label=x"}, "unit", {"OPTS": "dropin"}
    )
    assert words == [
        ("dockerd", "unit"),
        ("-H", "unit"),
        ("fd://", "unit"),
        ("--debug", "dropin"),
        ("--label=x", "unit"),
    ]


@pytest.mark.parametrize(
    "flag, key",
    [
        ("--insecure-registry", "insecure-registries"),
        ("--registry-mirror", "registry-mirrors"),
        ("-H", "hosts"),
        ("--data-root", "data-root"),
        ("--config-file", None),
        ("-x", None),
    ],
)
def test_flag_key(flag, key):
    assert _dockerd.flag_key(flag) == key
