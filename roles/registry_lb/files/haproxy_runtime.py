"""Read and set haproxy's state through its runtime socket; print one line of JSON.

python3 haproxy_runtime.py SOCKET servers BACKEND   {server: status} of the backend (UP, DOWN, DRAIN, MAINT, ...)
python3 haproxy_runtime.py SOCKET map FILE [KEY]    make the map loaded from FILE hold exactly KEY (with the value
                                                    1), or nothing without KEY: {"changed": bool, "keys": [...]}
"""

import csv
import json
import socket
import sys


def ask(path, command):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(path)
        sock.sendall(command.encode() + b"\n")
        reply = b""
        chunk = sock.recv(65536)
        while chunk:
            reply += chunk
            chunk = sock.recv(65536)
    return reply.decode()


def servers(path, backend):
    rows = csv.DictReader(ask(path, "show stat").lstrip("# ").splitlines())
    return {
        row["svname"]: row["status"]
        for row in rows
        if row["pxname"] == backend and row["svname"] not in ("FRONTEND", "BACKEND")
    }


def map_keys(path, map_file):
    # "show map FILE" prints "<id> <key> <value>" a line each, or an error that names no entry.
    reply = ask(path, f"show map {map_file}")
    lines = [line.split() for line in reply.splitlines() if line.strip()]
    if any(len(fields) != 3 or not fields[0].startswith("0x") for fields in lines):
        sys.exit(f"haproxy did not show the map {map_file}: {reply.strip()}")
    return sorted(fields[1] for fields in lines)


def set_map(path, map_file, key=None):
    wanted = [key] if key else []
    before = map_keys(path, map_file)
    if before != wanted:
        for command in [f"clear map {map_file}"] + [f"add map {map_file} {key} 1" for key in wanted]:
            reply = ask(path, command).strip()
            if reply and reply != "Done.":
                sys.exit(f"haproxy refused '{command}': {reply}")
    after = map_keys(path, map_file)
    if after != wanted:
        sys.exit(f"the map {map_file} holds {after}, not {wanted}")
    return {"changed": before != after, "keys": after}


def main(path, mode, *args):
    print(json.dumps(servers(path, *args) if mode == "servers" else set_map(path, *args), sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
