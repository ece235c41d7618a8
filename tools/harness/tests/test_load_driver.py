"""The scenarios' load driver (molecule/_system/files/load_driver.py) against a fake docker CLI: it counts what it
sends, and a request that hangs at the stop is a failed request in a summary written within the stop's grace."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

DRIVER = Path(__file__).resolve().parents[3] / "molecule" / "_system" / "files" / "load_driver.py"

# Pushes hang when HANG_PUSH is set; imports of fresh images fail when FAIL_IMPORT is set (every other one with
# FAIL_IMPORT=some, each with FAIL_IMPORT=all); everything else answers at once.
FAKE_DOCKER = """#!/bin/sh
case "$1" in
  import)
    cat >/dev/null
    case "$FAIL_IMPORT:$3" in
      *known*) ;;
      all:*) echo "Error response from daemon: no space left on device" >&2; exit 1 ;;
      some:*)
        [ -e "$0.failed" ] && rm "$0.failed" || { touch "$0.failed"; echo "context deadline exceeded" >&2; exit 1; } ;;
    esac ;;
  push) [ -n "$HANG_PUSH" ] && [ "${2#*known}" = "$2" ] && exec sleep 600 ;;
esac
exit 0
"""


def fake_docker_env(tmp_path, hang_push=False, fail_import=""):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER)
    docker.chmod(0o755)
    return {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HANG_PUSH": "1" if hang_push else "",
        "FAIL_IMPORT": fail_import,
    }


def driver_argv(tmp_path, *args):
    """The driver against the fake docker, its summary at tmp_path/load.json and its trace at tmp_path/load.trace."""
    return [
        sys.executable,
        str(DRIVER),
        "--registry",
        "registry.test:5000",
        "--summary",
        str(tmp_path / "load.json"),
        "--trace",
        str(tmp_path / "load.trace"),
        "--pause",
        "0.05",
        *args,
    ]


def run_driver(tmp_path, *args, hang_push=False, fail_import=""):
    env = fake_docker_env(tmp_path, hang_push, fail_import)
    summary = tmp_path / "load.json"
    started = time.monotonic()
    proc = subprocess.run(
        driver_argv(tmp_path, *args),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return SimpleNamespace(
        proc=proc,
        summary=json.loads(summary.read_text()),
        seconds=time.monotonic() - started,
        trace=(tmp_path / "load.trace").read_text(),
    )


def test_counts_pulls_and_pushes(tmp_path):
    run = run_driver(tmp_path, "--duration", "1")
    proc, summary, trace = run.proc, run.summary, run.trace
    assert proc.returncode == 0, proc.stderr
    assert summary["pulls"] > 0 and summary["pushes"] > 0
    assert summary["failed_pulls"] == summary["failed_pushes"] == 0
    assert summary["unfinished"] == []
    assert " start push " in trace and " end push " in trace
    assert not (tmp_path / "load.json.running").exists()


def test_a_reader_pulls_an_image_it_is_given_and_pushes_nothing(tmp_path):
    run = run_driver(tmp_path, "--duration", "1", "--pull-only", "team/app:1")
    proc, summary, trace = run.proc, run.summary, run.trace
    assert proc.returncode == 0, proc.stderr
    assert summary["pulls"] > 0 and summary["pushes"] == 0
    assert " start pull registry.test:5000/team/app:1" in trace
    assert " push " not in trace and " import " not in trace


def test_a_push_that_hangs_at_the_stop_is_a_failure_within_the_grace(tmp_path):
    run = run_driver(tmp_path, "--duration", "1", "--stop-grace", "2", hang_push=True)
    proc, summary, seconds, trace = run.proc, run.summary, run.seconds, run.trace
    assert proc.returncode == 0, proc.stderr
    assert seconds < 15
    assert summary["failed_pushes"] == summary["pushes"] == 1
    assert summary["errors"] == {"push: unfinished 2 s after the stop": 1}
    assert len(summary["unfinished"]) == 1 and summary["unfinished"][0].startswith("docker push ")
    assert " push start push registry.test:5000/wharf-load/fresh:" in trace
    assert "gave up on docker push" in proc.stderr


def test_a_call_over_the_call_timeout_fails(tmp_path):
    run = run_driver(tmp_path, "--duration", "3", "--call-timeout", "1", hang_push=True)
    proc, summary = run.proc, run.summary
    assert proc.returncode == 0, proc.stderr
    assert summary["failed_pushes"] >= 1
    assert "push: no answer in 1 s" in summary["errors"]


def test_a_local_build_that_fails_now_and_then_is_no_request_and_is_tried_again(tmp_path):
    run = run_driver(tmp_path, "--duration", "1", fail_import="some")
    proc, summary = run.proc, run.summary
    assert proc.returncode == 0, proc.stderr
    assert summary["pushes"] > 0 and summary["failed_pushes"] == 0
    assert summary["local_errors"]["import: context deadline exceeded"] >= 1
    assert summary["fatal"] is None


def test_an_engine_that_cannot_build_stops_the_driver_with_its_reason(tmp_path):
    run = run_driver(tmp_path, "--duration", "30", fail_import="all")
    proc, summary, seconds = run.proc, run.summary, run.seconds
    assert proc.returncode != 0
    assert seconds < 15
    assert summary["pushes"] == 0
    assert summary["fatal"].endswith("locally (3 times in a row): Error response from daemon: no space left on device")
    assert summary["fatal"] in proc.stderr


def test_a_stop_signal_ends_the_loops_and_writes_the_summary(tmp_path):
    summary = tmp_path / "load.json"
    proc = subprocess.Popen(
        driver_argv(tmp_path, "--stop-grace", "5"),
        env=fake_docker_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Generous bounds: a loaded test machine starts the driver and its fake docker calls slowly.
    deadline = time.monotonic() + 60
    while not (tmp_path / "load.json.running").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    proc.terminate()
    stderr = proc.communicate(timeout=60)[1]
    assert proc.returncode == 0, stderr
    result = json.loads(summary.read_text())
    assert result["pulls"] > 0 and result["fatal"] is None
    assert not (tmp_path / "load.json.running").exists()
