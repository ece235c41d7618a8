"""Day-2 load on a registry: a pull loop and a push loop through the docker CLI of this host, side by side.

The pull loop removes a known image and pulls it again; the push loop builds a fresh one-layer image (random bytes,
docker import: nothing is pulled) and pushes it. Every pull and push counts as a request; a failed one counts with
its time and error kind (docker's last stderr line with ids, numbers and addresses blanked). Runs for --duration
seconds, or until SIGTERM/SIGINT (requests under way finish and count; a docker call that takes longer than
--call-timeout is killed and counts as failed), then writes one line of JSON to --summary (and stdout); while the
loops run, <summary>.running exists.

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
CALL_TIMEOUT = 120.0


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def docker(*args, stdin=None):
    """Run one docker CLI call; return None on success, else its error kind."""
    try:
        proc = subprocess.run(["docker", *args], input=stdin, capture_output=True, check=False,
                              timeout=CALL_TIMEOUT)
    except subprocess.TimeoutExpired:
        # A call that hangs is a failure to count, and must not keep the loops from stopping.
        return f"no answer in {CALL_TIMEOUT:g} s"
    if proc.returncode == 0:
        return None
    lines = (proc.stderr or proc.stdout).decode(errors="replace").strip().splitlines() or [f"exit {proc.returncode}"]
    # Upload tokens, digests, layer and upload ids, then addresses and counts vary from one failure to the next.
    kind = re.sub(r"\?[^\s\"]*", "?…", lines[-1])
    kind = re.sub(r"sha256:[0-9a-f]{64}|\b[0-9a-f][0-9a-f-]{11,}\b", "ID", kind)
    return re.sub(r"\d+(\.\d+)*", "N", kind)[:200]


def fresh_image(name, size):
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
        self.fatal = None

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
            print(f"{stamp} {what} failed: {error}", file=sys.stderr, flush=True)


def timed(counter, what, *args):
    start = time.monotonic()
    error = docker(*args)
    counter.record(what, error, time.monotonic() - start)


def pull_loop(counter, image, pause):
    while not STOP.wait(pause):
        docker("image", "rm", image)
        timed(counter, "pull", "pull", image)


def push_loop(counter, repo, size, pause):
    serial = 0
    while not STOP.wait(pause):
        serial += 1
        image = f"{repo}:{socket.gethostname()}-{os.getpid()}-{serial}"
        error = fresh_image(image, size)
        if error is not None:
            # The local engine, not the registry, failed: the measurement is void.
            counter.fatal = f"cannot build {image} locally: {error}"
            STOP.set()
            return
        timed(counter, "push", "push", image)
        docker("image", "rm", image)


def main():
    global CALL_TIMEOUT  # pylint: disable=global-statement
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", required=True, help="host:port of the registry (the balancer or its VIP)")
    parser.add_argument("--duration", type=float, default=0, help="seconds to run; 0 = until SIGTERM or SIGINT")
    parser.add_argument("--size", type=int, default=1 << 20, help="bytes of the layer of each image")
    parser.add_argument("--pause", type=float, default=0, help="seconds each loop waits before its next request")
    parser.add_argument("--summary", help="file to write the JSON summary to as well")
    parser.add_argument("--call-timeout", type=float, default=CALL_TIMEOUT,
                        help="seconds a docker call may take before it is killed and counted as failed")
    opts = parser.parse_args()
    CALL_TIMEOUT = opts.call_timeout

    host = socket.gethostname()
    known = f"{opts.registry}/wharf-load/known:{host}"
    # The known image is pushed before the clock starts: its failure is a broken setup, not a measurement.
    error = fresh_image(known, opts.size) or docker("push", known)
    if error is not None:
        sys.exit(f"cannot push the known image {known}: {error}")

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: STOP.set())
    counter = Counter()
    started, clock = now(), time.monotonic()
    loops = [
        threading.Thread(target=pull_loop, args=(counter, known, opts.pause), daemon=True),
        threading.Thread(target=push_loop, args=(counter, f"{opts.registry}/wharf-load/fresh", opts.size, opts.pause),
                         daemon=True),
    ]
    for loop in loops:
        loop.start()
    if opts.summary:
        # Tells whoever started it in the background that the clock runs.
        with open(opts.summary + ".running", "w", encoding="utf-8") as handle:
            handle.write(started + "\n")
    STOP.wait(opts.duration or None)
    STOP.set()
    for loop in loops:
        loop.join()

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
        "errors": dict(counter.errors),
    }
    line = json.dumps(summary, sort_keys=True)
    if opts.summary:
        with open(opts.summary + ".tmp", "w", encoding="utf-8") as handle:
            handle.write(line + "\n")
        os.replace(opts.summary + ".tmp", opts.summary)
        os.remove(opts.summary + ".running")
    print(line, flush=True)
    if counter.fatal:
        sys.exit(counter.fatal)


if __name__ == "__main__":
    main()
