"""Print the servers of one haproxy backend with their status, read from haproxy's runtime socket, as one JSON
object {server: status} (UP, DOWN, DRAIN, MAINT, ...).

  python3 haproxy_servers.py /run/haproxy.sock BACKEND
"""

import csv
import json
import socket
import sys


def main(path, backend):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(path)
        sock.sendall(b"show stat\n")
        reply = b""
        chunk = sock.recv(65536)
        while chunk:
            reply += chunk
            chunk = sock.recv(65536)
    rows = csv.DictReader(reply.decode().lstrip("# ").splitlines())
    print(
        json.dumps(
            {
                row["svname"]: row["status"]
                for row in rows
                if row["pxname"] == backend and row["svname"] not in ("FRONTEND", "BACKEND")
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:3])
