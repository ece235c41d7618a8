"""Send registry API requests exactly as written (no path normalization, repeated headers kept) and print the status.

  raw_requests.py REGISTRY CA USER REPOSITORY REQUESTS 3<<<PASSWORD

REQUESTS is a JSON list of {method, path, headers}: paths and headers may name $digest (the first layer of
REPOSITORY:docker, read first) and $basic (USER's Basic credentials); a request without headers sends USER's
Authorization. Prints "METHOD PATH STATUS" a line each, PATH as given. The password comes on file descriptor 3, never
in the arguments.
"""

import base64
import http.client
import json
import os
import ssl
import sys

MANIFESTS = "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json"


def send(registry, context, method, path, headers):
    host, port = registry.rsplit(":", 1)
    connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=30)
    try:
        # putrequest, not request: the path goes out as written and a header may come twice.
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if method not in ("GET", "HEAD"):
            connection.putheader("Content-Length", "0")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def main():
    registry, ca, user, repository, requests = sys.argv[1:6]
    with os.fdopen(3) as secret:
        password = secret.read().strip()
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    context = ssl.create_default_context(cafile=ca)
    own = [("Authorization", f"Basic {basic}")]
    status, body = send(registry, context, "GET", f"/v2/{repository}/manifests/docker", [*own, ("Accept", MANIFESTS)])
    if status != 200:
        sys.exit(f"cannot read {repository}:docker: {status} {body[:200]!r}")
    digest = json.loads(body)["layers"][0]["digest"]
    for request in json.loads(requests):
        headers = [
            tuple(part.strip() for part in header.replace("$basic", basic).split(":", 1))
            for header in request.get("headers", [])
        ]
        status, _body = send(
            registry, context, request["method"], request["path"].replace("$digest", digest), headers or own
        )
        print(request["method"], request["path"], status, flush=True)


if __name__ == "__main__":
    main()
