"""Sample `ps -eo args` every 50 ms until the stop file (argv[1]) appears, then print how many samples were taken
and in how many any of the secrets was seen. The secrets come one a line on stdin, so they are never in argv."""

import json
import os
import subprocess
import sys
import time

INTERVAL = 0.05


def main():
    stop = sys.argv[1]
    secrets = [line.encode("utf-8") for line in sys.stdin.read().split("\n") if line]
    samples = seen = 0
    due = time.monotonic()
    while not os.path.exists(stop):
        args = subprocess.run(["ps", "-eo", "args"], stdout=subprocess.PIPE, check=True).stdout
        samples += 1
        seen += any(secret in args for secret in secrets)
        due += INTERVAL
        time.sleep(max(0.0, due - time.monotonic()))
    os.remove(stop)
    print(json.dumps({"samples": samples, "secrets_seen": seen, "secrets_checked": len(secrets)}))


if __name__ == "__main__":
    main()
