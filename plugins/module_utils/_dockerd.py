# Copyright (c) wharf.registry contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which daemon.json keys dockerd already receives as command line flags.

Reads the systemd unit that runs dockerd, its drop-ins and the environment files they name the way systemd does,
or the SysV init script's defaults file on hosts without a unit, and maps each dockerd flag to its daemon.json key.

Private to this collection: no compatibility promise outside it.
"""

import os
import re
import shlex

from ansible.module_utils.common.text.converters import to_native, to_text

# dockerd flags whose daemon.json key is not simply the flag without its dashes.
FLAG_KEYS = {
    "-b": "bridge",
    "-D": "debug",
    "-G": "group",
    "-g": "graph",
    "-H": "hosts",
    "-l": "log-level",
    "-p": "pidfile",
    "-s": "storage-driver",
    "--add-runtime": "runtimes",
    "--authorization-plugin": "authorization-plugins",
    "--cluster-store-opt": "cluster-store-opts",
    "--default-address-pool": "default-address-pools",
    "--default-ulimit": "default-ulimits",
    "--dns-opt": "dns-opts",
    "--exec-opt": "exec-opts",
    "--feature": "features",
    "--host": "hosts",
    "--insecure-registry": "insecure-registries",
    "--label": "labels",
    "--log-opt": "log-opts",
    "--node-generic-resource": "node-generic-resources",
    "--registry-mirror": "registry-mirrors",
    "--storage-opt": "storage-opts",
}

# Flags that choose how dockerd starts rather than mirror a daemon.json key.
NOT_CONFIG_FLAGS = frozenset(["--config-file", "--validate", "--version", "--help"])

ENV_REFERENCE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


class DockerdFlagsError(Exception):
    """A file the unit needs cannot be read; the message names it."""


def unit_file_lines(text):
    """Logical lines of a systemd unit file: comments dropped, backslash continuations joined."""
    lines = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (line.startswith("#") or line.startswith(";")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        lines.append(pending + line)
        pending = ""
    if pending:
        lines.append(pending)
    return lines


def service_settings(text):
    """(key, value) pairs of the [Service] section, in file order."""
    settings = []
    section = None
    for line in unit_file_lines(text):
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "Service" and "=" in line:
            key, value = line.split("=", 1)
            settings.append((key.strip(), value.strip()))
    return settings


def parse_environment_file(text):
    """Variables of a systemd EnvironmentFile / shell defaults file (KEY=value, optionally quoted)."""
    env = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.startswith(";") or "=" not in line:
            continue
        if line.startswith("export "):
            line = line[len("export ") :].strip()
        key, value = line.split("=", 1)
        try:
            words = shlex.split(value, comments=True)
        except ValueError:
            words = value.split()
        env[key.strip()] = " ".join(words)
    return env


def expand_words(command, env, origin=None, env_origins=None):
    """(word, file it came from) of an ExecStart line the way systemd builds it: $VAR splits into words, ${VAR}
    stays one word. A word from a variable comes from the file that set the variable."""
    env_origins = env_origins or {}
    words = []
    for word in shlex.split(command):
        whole = re.match(r"^\$(\w+)$", word)
        if whole:
            name = whole.group(1)
            words.extend((part, env_origins.get(name, origin)) for part in env.get(name, "").split())
            continue
        names = [m.group(1) or m.group(2) for m in ENV_REFERENCE.finditer(word)]
        expanded = ENV_REFERENCE.sub(lambda m: env.get(m.group(1) or m.group(2), ""), word)
        words.append((expanded, env_origins.get(names[0], origin) if names else origin))
    return words


def dockerd_flag_positions(argv):
    """(index, flag name) of every flag passed to dockerd in argv; [] when the command does not run dockerd."""
    if not argv:
        return []
    # ExecStart prefixes (-, @, +, !, !!, :) stick to the binary's name.
    binary = os.path.basename(argv[0].lstrip("-@+!:"))
    if binary == "dockerd":
        first = 1
    elif binary == "docker" and len(argv) > 1 and argv[1] == "daemon":
        first = 2
    else:
        return []
    flags = []
    for index in range(first, len(argv)):
        arg = argv[index]
        if not arg.startswith("-") or arg in ("-", "--"):
            continue
        name = arg.split("=", 1)[0]
        # A short flag may carry its value without a space (-Hfd://).
        flags.append((index, name if name.startswith("--") else name[:2]))
    return flags


def dockerd_flags(argv):
    """Flag names passed to dockerd in argv, or [] when the command does not run dockerd."""
    return [name for dummy, name in dockerd_flag_positions(argv)]


def flag_key(flag):
    """The daemon.json key a dockerd flag sets, or None when it has none."""
    if flag in FLAG_KEYS:
        return FLAG_KEYS[flag]
    if flag in NOT_CONFIG_FLAGS or not flag.startswith("--"):
        return None
    return flag[2:]


class DockerdFlagReader:
    """Which daemon.json keys dockerd already receives as flags, and from which file."""

    def __init__(self, unit_name, unit_dirs, defaults_file):
        self.unit_name = unit_name
        self.unit_dirs = unit_dirs
        self.defaults_file = defaults_file

    @staticmethod
    def _read(path):
        with open(path, "rb") as handle:
            return to_text(handle.read(), errors="surrogate_or_strict")

    def _unit_files(self):
        """The unit file systemd would load, then its drop-ins in the order systemd applies them."""
        main = None
        dropins = {}
        for directory in self.unit_dirs:
            candidate = os.path.join(directory, self.unit_name)
            if main is None and os.path.isfile(candidate):
                main = candidate
            dropin_dir = candidate + ".d"
            if os.path.isdir(dropin_dir):
                for name in os.listdir(dropin_dir):
                    if name.endswith(".conf") and name not in dropins:
                        dropins[name] = os.path.join(dropin_dir, name)
        if main is None:
            return []
        return [main] + [dropins[name] for name in sorted(dropins)]

    def _specifiers(self, value):
        prefix = self.unit_name.rsplit(".", 1)[0]
        return value.replace("%n", self.unit_name).replace("%N", prefix).replace("%p", prefix.split("@")[0])

    def _env_file(self, spec):
        optional = spec.startswith("-")
        path = self._specifiers(spec.lstrip("-"))
        try:
            return path, parse_environment_file(self._read(path))
        except OSError as exc:
            if optional:
                return path, {}
            raise DockerdFlagsError(
                "Cannot read %s, which %s needs: %s" % (path, self.unit_name, to_native(exc))
            ) from exc

    def flags(self):
        """{config key: (flag, file that sets it)} for every dockerd flag that has a daemon.json twin."""
        files = self._unit_files()
        if not files:
            return self._defaults_file_flags()
        commands = []
        env = {}
        env_origins = {}
        env_files = []
        for path in files:
            for key, value in service_settings(self._read(path)):
                if key == "ExecStart":
                    if value:
                        commands.append((value, path))
                    else:
                        commands = []
                elif key == "Environment":
                    for assignment in shlex.split(value):
                        if "=" in assignment:
                            name, val = assignment.split("=", 1)
                            env[name] = val
                            env_origins[name] = path
                elif key == "EnvironmentFile" and value:
                    env_files.append(value)
        # systemd lets EnvironmentFile= win over Environment=, whatever their order.
        for spec in env_files:
            path, variables = self._env_file(spec)
            env.update(variables)
            env_origins.update((name, path) for name in variables)
        found = {}
        for command, path in commands:
            words = expand_words(command, env, path, env_origins)
            for index, flag in dockerd_flag_positions([word for word, dummy in words]):
                key = flag_key(flag)
                if key:
                    found.setdefault(key, (flag, words[index][1]))
        return found

    def _defaults_file_flags(self):
        if not os.path.isfile(self.defaults_file):
            return {}
        opts = parse_environment_file(self._read(self.defaults_file)).get("DOCKER_OPTS", "")
        found = {}
        for flag in dockerd_flags(["dockerd"] + shlex.split(opts)):
            key = flag_key(flag)
            if key:
                found.setdefault(key, (flag, self.defaults_file))
        return found
