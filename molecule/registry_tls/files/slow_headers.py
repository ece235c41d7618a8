"""A client that sends its request head a byte every half second, against a TLS balancer, while another keeps
asking GET /v2/: prints as JSON when the slow one was cut and with what, and how the others fared.

usage: slow_headers.py HOST PORT CA_FILE
"""

import json
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request

host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
context = ssl.create_default_context(cafile=cafile)
slow = {}


def send_slowly():
    conn = context.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
    start = time.monotonic()
    conn.settimeout(0.5)
    answer = b""
    try:
        for byte in b"GET /v2/ HTTP/1.1\r\nHost: " + host.encode() + b"\r\nX-Slow: " + b"a" * 120:
            conn.sendall(bytes([byte]))
            try:
                answer = conn.recv(4096) or b"closed"
                break
            except TimeoutError:
                pass
    except OSError as error:
        answer = repr(error).encode()
    slow.update(
        seconds=round(time.monotonic() - start, 1),
        answer=answer.split(b"\r\n")[0].decode(errors="replace") or "still open",
    )


thread = threading.Thread(target=send_slowly)
thread.start()
others = []
while thread.is_alive():
    start = time.monotonic()
    try:
        status = urllib.request.urlopen(f"https://{host}:{port}/v2/", context=context, timeout=5).status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        status = repr(error)
    others.append({"status": status, "seconds": round(time.monotonic() - start, 3)})
    time.sleep(0.5)
print(
    json.dumps(
        {
            "slow": slow,
            "others": len(others),
            "statuses": sorted({str(other["status"]) for other in others}),
            "slowest": max(other["seconds"] for other in others),
        }
    )
)
