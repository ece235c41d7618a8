"""Count answered and failed GET requests to a URL until a stop file appears; print the counts as JSON.

Usage: requests.py URL STOP_FILE new|keepalive. "new" opens a connection for every request (what a balancer's
health check and most clients do); "keepalive" reuses one connection and opens another only after a failure.
"""

import http.client
import json
import os
import sys
import time
from urllib.parse import urlsplit

url, stop_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]
parts = urlsplit(url)
answered = failed = 0
first_failure = last_failure = None
errors = set()
connection = None
deadline = time.time() + 600
while not os.path.exists(stop_file) and time.time() < deadline:
    started = time.time()
    try:
        if connection is None or mode == "new":
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=1)
        connection.request("GET", parts.path)
        response = connection.getresponse()
        response.read()
        if response.status >= 500:
            raise http.client.HTTPException("status %d" % response.status)
        answered += 1
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        connection = None
        failed += 1
        first_failure = first_failure or started
        last_failure = started
        errors.add(type(exc).__name__)
    if mode == "new" and connection is not None:
        connection.close()
    time.sleep(max(0, 0.05 - (time.time() - started)))
window = round(last_failure - first_failure + 0.05, 2) if failed else 0
print(json.dumps(dict(answered=answered, failed=failed, window=window, errors=sorted(errors))))
