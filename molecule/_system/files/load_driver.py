"""Day-2 load on a registry: a pull loop and a push loop through the docker CLI of this host, side by side.

The pull loop removes a known image and pulls it again; the push loop builds a fresh one-layer image (random bytes,
docker import: nothing is pulled) and pushes it. With --pull-only (a reader's load) the pull loop runs alone, on an
image someone else pushed. Every pull and push counts as a request; a failed one counts with
its time and error kind (docker's last stderr line with ids, numbers and addresses blanked). Runs for --duration
seconds, or until SIGTERM/SIGINT, then writes one line of JSON to --summary (and stdout); while the loops run,
<summary>.running exists. A local image build that fails is no request: it counts under local_errors and is tried
again; --local-attempts of them in a row stop the driver early, with the reason as the summary's fatal.

A stop lets the requests under way finish for at most --stop-grace seconds: a request still unanswered then is
killed and counts as failed ("unfinished"), so the summary is always written within that bound. A docker call that
takes longer than --call-timeout is killed and counts as failed too. Every call is traced to --trace (start, end,
seconds, outcome), so a request that hung can be named afterwards.

  python3 load_driver.py --registry registry.example.com:5000 --duration 120 --summary /root/load.json
"""

import argparse
import collections
import datetime
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

STOP = threading.Event()
# What a docker call returns when the stop gave up on it: the stop counts it, not its caller.
ABANDONED = object()


def now():
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def error_kind(text):
    """Docker's last output line with what varies from one failure to the next (tokens, ids, numbers) blanked."""
    kind = re.sub(r"\?[^\s\"]*", "?…", text)
    kind = re.sub(r"sha256:[0-9a-f]{64}|\b[0-9a-f][0-9a-f-]{11,}\b", "ID", kind)
    return re.sub(r"\d+(\.\d+)*", "N", kind)[:200]


class Docker:
    """The docker CLI, with every call bounded, traced and visible while it runs (so a stop can give up on it)."""

    def __init__(self, call_timeout, trace_path):
        self.call_timeout = call_timeout
        self.lock = threading.Lock()
        self.running = {}
        self.trace_file = open(trace_path, "a", encoding="utf-8", buffering=1) if trace_path else None

    def trace(self, *fields):
        if self.trace_file:
            with self.lock:
                self.trace_file.write(" ".join([now(), threading.current_thread().name, *map(str, fields)]) + "\n")

    def __call__(self, *args, stdin=None):
        """Run one docker call; return None on success, ABANDONED when the stop gave up on it, else its error kind."""
        started = time.monotonic()
        self.trace("start", *args)
        proc = subprocess.Popen(
            ["docker", *args],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        call = {"args": args, "started": started, "proc": proc, "abandoned": False}
        with self.lock:
            self.running[threading.get_ident()] = call
        try:
            out, err = proc.communicate(stdin, timeout=self.call_timeout)
            if proc.returncode == 0:
                error = None
            else:
                lines = (err or out).decode(errors="replace").strip().splitlines()
                error = error_kind(lines[-1] if lines else f"exit {proc.returncode}")
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            error = f"no answer in {self.call_timeout:g} s"
        with self.lock:
            del self.running[threading.get_ident()]
        if call["abandoned"]:
            self.trace("end", args[0], f"{time.monotonic() - started:.2f}s", "abandoned at the stop")
            return ABANDONED
        self.trace("end", args[0], f"{time.monotonic() - started:.2f}s", error or "ok")
        return error

    def abandon(self):
        """Kill the calls still running, whose outcome their callers then ignore; return (argv, seconds) of each."""
        with self.lock:
            calls = list(self.running.values())
            for call in calls:
                call["abandoned"] = True
        for call in calls:
            call["proc"].kill()
        return [(call["args"], time.monotonic() - call["started"]) for call in calls]


def fresh_image(docker, name, size):
    """Import a one-file image of random bytes as name; nothing is pulled."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layer.tar")
        with tarfile.open(path, "w") as tar:
            blob = os.path.join(tmp, "blob")
            with open(blob, "wb") as handle:
                handle.write(os.urandom(size))
            tar.add(blob, arcname="blob")
        with open(path, "rb") as handle:
            return docker("import", "-", name, stdin=handle.read())


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = collections.Counter()
        self.failed = collections.Counter()
        self.errors = collections.Counter()
        self.first_failure = None
        self.last_failure = None
        self.last_success = {}
        self.slowest = collections.Counter()
        self.local_errors = collections.Counter()
        self.fatal = None

    def record_local(self, error):
        with self.lock:
            self.local_errors[error_kind(error)] += 1
        print(f"{now()} local docker call failed: {error}", file=sys.stderr, flush=True)

    def record(self, what, error, seconds):
        with self.lock:
            self.requests[what] += 1
            self.slowest[what] = max(self.slowest[what], round(seconds, 2))
            stamp = now()
            if error is None:
                self.last_success[what] = stamp
                return
            self.failed[what] += 1
            self.errors[f"{what}: {error}"] += 1
            self.first_failure = self.first_failure or stamp
            self.last_failure = stamp
        # Outside the lock: a journal that stalls the write must not stall the other loop and the stop.
        print(f"{stamp} {what} failed: {error}", file=sys.stderr, flush=True)


def timed(docker, counter, what, *args):
    start = time.monotonic()
    error = docker(*args)
    if error is not ABANDONED:
        counter.record(what, error, time.monotonic() - start)


def pull_loop(docker, counter, image, pause):
    while not STOP.wait(pause):
        docker("image", "rm", image)
        timed(docker, counter, "pull", "pull", image)


def push_loop(docker, counter, repo, size, pause, local_attempts):
    serial = 0
    local_failures = 0
    while not STOP.wait(pause):
        serial += 1
        image = f"{repo}:{socket.gethostname()}-{os.getpid()}-{serial}"
        error = fresh_image(docker, image, size)
        if error is ABANDONED:
            return
        if error is not None:
            # The local engine, not the registry, failed: no request, so it is counted apart and tried again. An
            # engine that keeps failing voids the measurement (its pushes stopped), which the summary says.
            local_failures += 1
            counter.record_local(f"import: {error}")
            if local_failures >= local_attempts:
                counter.fatal = f"cannot build {image} locally ({local_failures} times in a row): {error}"
                STOP.set()
                return
            continue
        local_failures = 0
        if not STOP.is_set():
            timed(docker, counter, "push", "push", image)
        docker("image", "rm", image)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", required=True, help="host:port of the registry (the balancer or its VIP)")
    parser.add_argument("--duration", type=float, default=0, help="seconds to run; 0 = until SIGTERM or SIGINT")
    parser.add_argument("--size", type=int, default=1 << 20, help="bytes of the layer of each image")
    parser.add_argument("--pause", type=float, default=0, help="seconds each loop waits before its next request")
    parser.add_argument("--summary", help="file to write the JSON summary to as well")
    parser.add_argument("--trace", help="file to append a line to for every docker call's start and end")
    parser.add_argument(
        "--call-timeout",
        type=float,
        default=120,
        help="seconds a docker call may take before it is killed and counted as failed",
    )
    parser.add_argument(
        "--stop-grace",
        type=float,
        default=60,
        help="seconds the requests under way at a stop may take before they count as failed",
    )
    parser.add_argument(
        "--pull-only",
        metavar="IMAGE",
        help="a reader's load: pull IMAGE (REPOSITORY:TAG on --registry, pushed by someone else) and push nothing",
    )
    parser.add_argument(
        "--local-attempts",
        type=int,
        default=3,
        help="failed local image builds in a row after which the driver stops (its engine is broken)",
    )
    opts = parser.parse_args()
    docker = Docker(opts.call_timeout, opts.trace)

    host = socket.gethostname()
    if opts.pull_only:
        known = f"{opts.registry}/{opts.pull_only}"
        error = docker("pull", known)
    else:
        known = f"{opts.registry}/wharf-load/known:{host}"
        # The known image is pushed before the clock starts: its failure is a broken setup, not a measurement.
        error = fresh_image(docker, known, opts.size) or docker("push", known)
    if error is not None:
        sys.exit(f"cannot {'pull' if opts.pull_only else 'push'} the known image {known}: {error}")

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: STOP.set())
    counter = Counter()
    started, clock = now(), time.monotonic()
    loops = [threading.Thread(target=pull_loop, name="pull", args=(docker, counter, known, opts.pause), daemon=True)]
    if not opts.pull_only:
        push_args = (docker, counter, f"{opts.registry}/wharf-load/fresh", opts.size, opts.pause, opts.local_attempts)
        loops.append(threading.Thread(target=push_loop, name="push", daemon=True, args=push_args))
    for loop in loops:
        loop.start()
    if opts.summary:
        # Tells whoever started it in the background that the clock runs.
        with open(opts.summary + ".running", "w", encoding="utf-8") as handle:
            handle.write(started + "\n")
    # A timed wait: the kernel may hand SIGTERM to any thread, and Python runs the handler only once the main thread
    # runs again; an untimed wait never returns then (a stop that timed out in CI, the loops still running).
    end = clock + opts.duration if opts.duration else None
    while not STOP.wait(0.5) and (end is None or time.monotonic() < end):
        pass
    STOP.set()
    stopped = time.monotonic()
    for loop in loops:
        loop.join(max(0.0, stopped + opts.stop_grace - time.monotonic()))

    unfinished = []
    for args, seconds in docker.abandon():
        unfinished.append(f"docker {' '.join(args)} ({seconds:.0f} s)")
        if args[0] in ("pull", "push"):
            counter.record(args[0], f"unfinished {opts.stop_grace:g} s after the stop", seconds)

    summary = {
        "host": host,
        "registry": opts.registry,
        "started": started,
        "seconds": round(time.monotonic() - clock, 1),
        "requests": sum(counter.requests.values()),
        "pulls": counter.requests["pull"],
        "pushes": counter.requests["push"],
        "failed_pulls": counter.failed["pull"],
        "failed_pushes": counter.failed["push"],
        "first_failure": counter.first_failure,
        "last_failure": counter.last_failure,
        "last_pull_ok": counter.last_success.get("pull"),
        "last_push_ok": counter.last_success.get("push"),
        "slowest_pull_seconds": counter.slowest["pull"],
        "slowest_push_seconds": counter.slowest["push"],
        "unfinished": unfinished,
        "errors": dict(counter.errors),
        "local_errors": dict(counter.local_errors),
        "fatal": counter.fatal,
    }
    line = json.dumps(summary, sort_keys=True)
    if opts.summary:
        with open(opts.summary + ".tmp", "w", encoding="utf-8") as handle:
            handle.write(line + "\n")
        os.replace(opts.summary + ".tmp", opts.summary)
        os.remove(opts.summary + ".running")
    # Printed only now: the summary is safe even if the journal stalls these writes.
    for call in unfinished:
        print(f"gave up on {call} at the stop", file=sys.stderr, flush=True)
    print(line, flush=True)
    if counter.fatal:
        sys.exit(counter.fatal)


if __name__ == "__main__":
    main()
