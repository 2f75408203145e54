#!/usr/bin/python3
"""Checks tm serve's answers against its OpenAPI description (tests/e2e/test_serve.sh).

  check_openapi.py --base URL --spec FILE --slug SLUG [--database-down]

Fetches /openapi.json and requires it to be FILE (the description in the repository), checks
every schema in it is a valid JSON Schema (2020-12, as OpenAPI 3.1 uses), then sends requests
that cover every path and every documented status (503 only with --database-down, when it is
the expected answer) and validates each answer's status, content type and body against the
description. Every other method on every path must be 405 with an Allow header. Debian's
python3-jsonschema; exit 1 with one line per mismatch.
"""
import argparse
import json
import sys
import urllib.error
import urllib.request

try:
    import jsonschema
except ImportError:
    sys.exit("check_openapi.py: python3-jsonschema is missing (apt-get install python3-jsonschema; scripts/test installs it)")


def fetch(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def inline_refs(node, spec):
    """The schema with every local $ref replaced by what it points at."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return inline_refs(target, spec)
        return {k: inline_refs(v, spec) for k, v in node.items()}
    if isinstance(node, list):
        return [inline_refs(v, spec) for v in node]
    return node


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--spec", required=True)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--database-down", action="store_true")
    args = parser.parse_args()
    problems = []

    status, headers, body = fetch(args.base + "/openapi.json")
    served = json.loads(body)
    spec = json.load(open(args.spec))
    if served != spec:
        problems.append("/openapi.json is not the description in the repository")
    if not spec.get("openapi", "").startswith("3.1"):
        problems.append("not an OpenAPI 3.1 description")
    for name, schema in spec["components"]["schemas"].items():
        try:
            jsonschema.Draft202012Validator.check_schema(inline_refs(schema, spec))
        except jsonschema.SchemaError as e:
            problems.append(f"components.schemas.{name} is not a valid JSON Schema: {e.message}")

    slug = args.slug
    if args.database_down:
        requests = [("/health", "/health", 503), ("/protocols", "/protocols", 503),
                    ("/protocols/{slug}/history", f"/protocols/{slug}/history", 503),
                    ("/alerts", "/alerts", 503), ("/series", "/series", 503),
                    ("/metrics", "/metrics", 200), ("/openapi.json", "/openapi.json", 200)]
    else:
        requests = [
            ("/health", "/health", 200),
            ("/protocols", "/protocols", 200),
            ("/protocols", "/protocols?limit=2&offset=1&metric=TVL", 200),
            ("/protocols", "/protocols?metric=NOPE", 400),
            ("/protocols", "/protocols?offset=-1", 400),
            ("/protocols/{slug}/history", f"/protocols/{slug}/history?days=3650", 200),
            ("/protocols/{slug}/history", f"/protocols/{slug}/history?days=0", 400),
            ("/protocols/{slug}/history", "/protocols/no-such-protocol/history", 404),
            ("/alerts", "/alerts?status=all", 200),
            ("/alerts", "/alerts?status=maybe", 400),
            ("/series", "/series", 200),
            ("/series", "/series?source=nowhere", 400),
            ("/metrics", "/metrics", 200),
            ("/openapi.json", "/openapi.json", 200),
        ]

    requested = {path for path, _, _ in requests}
    if requested != set(spec["paths"]):
        problems.append(f"the description's paths {sorted(spec['paths'])} are not the endpoints "
                        f"this check knows {sorted(requested)}")
    covered = set()
    for path, url, expected in requests:
        operation = spec["paths"].get(path, {}).get("get")
        if operation is None:
            problems.append(f"{path}: no GET in the description")
            continue
        status, headers, body = fetch(args.base + url)
        if status != expected:
            problems.append(f"GET {url}: {status}, expected {expected}")
            continue
        response = operation["responses"].get(str(status))
        if response is None:
            problems.append(f"GET {url}: {status} is not documented for {path}")
            continue
        covered.add((path, str(status)))
        content_type = headers.get("Content-Type", "").split(";")[0].strip()
        if content_type not in response["content"]:
            problems.append(f"GET {url}: Content-Type {content_type}, described {list(response['content'])}")
            continue
        schema = inline_refs(response["content"][content_type]["schema"], spec)
        document = json.loads(body) if content_type == "application/json" else body.decode()
        for error in jsonschema.Draft202012Validator(schema).iter_errors(document):
            where = "/".join(str(p) for p in error.absolute_path)
            problems.append(f"GET {url}: {where or 'body'}: {error.message}"[:300])
        if status == 200 and isinstance(document, list) and not document:
            problems.append(f"GET {url}: an empty list proves nothing about the row schema")

    if not args.database_down:
        for path, item in spec["paths"].items():
            for status in item["get"]["responses"]:
                if status != "503" and (path, status) not in covered:
                    problems.append(f"{path} {status} is described but no request here produced it")

    error_schema = inline_refs(spec["components"]["schemas"]["Error"], spec)
    concrete = {p: p.replace("{slug}", slug) for p in spec["paths"]}
    for path, url in concrete.items():
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            status, headers, body = fetch(args.base + url, method)
            if status != 405 or headers.get("Allow") != "GET, HEAD":
                problems.append(f"{method} {url}: {status} with Allow {headers.get('Allow')!r}, expected 405 with 'GET, HEAD'")
                continue
            for error in jsonschema.Draft202012Validator(error_schema).iter_errors(json.loads(body)):
                problems.append(f"{method} {url}: {error.message}")

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
