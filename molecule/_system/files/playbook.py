"""Run ansible-playbook and report what it did, for a verify step that runs a playbook of its own.

The whole output (stdout and stderr, uncoloured) goes to a new log file in LOG_DIR, named after the playbook; stdout
gets one JSON object: rc, recap (host -> ok/changed/unreachable/failed/skipped/rescued/ignored counts of the PLAY
RECAP), log (the file's path) and tail (its last 30 lines).

    playbook.py LOG_DIR ANSIBLE_PLAYBOOK_ARGUMENT... PLAYBOOK

PLAYBOOK_RUNNER, a JSON list, is put before ansible-playbook (e.g. a docker run of the execution environment).
"""

import json
import os
import re
import subprocess
import sys
import tempfile

RECAP_LINE = re.compile(r"^(\S+)\s+:\s+((?:[a-z]+=\d+\s*)+)$")


def recap(lines):
    hosts = {}
    for line in lines[next((i for i, line in enumerate(lines) if line.startswith("PLAY RECAP")), len(lines)) :]:
        match = RECAP_LINE.match(line.strip())
        if match:
            hosts[match.group(1)] = {key: int(count) for key, count in re.findall(r"([a-z]+)=(\d+)", match.group(2))}
    return hosts


def main():
    log_dir, args = sys.argv[1], sys.argv[2:]
    os.makedirs(log_dir, exist_ok=True)
    name = os.path.splitext(os.path.basename(args[-1]))[0]
    fd, log = tempfile.mkstemp(prefix=name + "-", suffix=".log", dir=log_dir)
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="false", ANSIBLE_NOCOLOR="true")
    with os.fdopen(fd, "w") as out:
        runner = json.loads(os.environ.get("PLAYBOOK_RUNNER") or "[]")
        rc = subprocess.call(runner + ["ansible-playbook"] + args, stdout=out, stderr=subprocess.STDOUT, env=env)
    with open(log, encoding="utf-8", errors="replace") as done:
        lines = done.read().splitlines()
    print(json.dumps({"rc": rc, "recap": recap(lines), "log": log, "tail": lines[-30:]}))


if __name__ == "__main__":
    main()
