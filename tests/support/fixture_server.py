#!/usr/bin/env python3
"""Fixture HTTP server for tm's end-to-end tests: serves recorded API responses from a folder
by path, on 127.0.0.1 (--host: inside a container, 0.0.0.0), and injects faults on request.

Files: GET /defillama/protocols serves ROOT/defillama/protocols.json (or the exact path). A
request with a query string first looks for a file per parameter, PATH@NAME=VALUE.json (so
/overview/fees?dataType=dailyRevenue&x=1 finds overview/fees@dataType=dailyRevenue.json), then
for PATH itself.
Paths under /artemis/ without a file are answered by artemis_api.py (a generated Artemis API);
POST /hyperliquid/info by hyperliquid_api.py (fixture files and a paged funding history);
Binance tickers, klines and its symbol list by binance_api.py; Kraken tickers by kraken_api.py;
an unknown Coinbase product is 404 {"message":"NotFound"}, an unknown DefiLlama protocol 400
"Protocol not found", as those APIs answer.
POST /hooks/NAME is a webhook receiver (Slack, tm's generic webhook): it answers 200 "ok" and
the request log keeps what arrived; faults on the path make it fail. /ping/… answers 200 "OK" to
any method, like healthchecks.io.
Control API (JSON bodies):
  POST /_control/faults  [{"path": "/defillama/protocols", "times": 1, "status": 429,
                           "headers": {"Retry-After": "1"}, "body": "...", "delay": 2.5,
                           "cut": 100, "short_body": 100, "reset": true}]
      "path" matches the request path exactly, or as a prefix when it ends with '*'.
      "times" is how many requests the fault applies to (-1: all). Faults apply in order.
      cut: serve the fixture truncated to N bytes (a complete HTTP response of invalid JSON);
      short_body: announce the full length but send N bytes and close (a truncated transfer);
      reset: close the connection without answering.
  POST /_control/alias   {"from": "/pro/KEY/api/", "to": "/defillama/"}   path prefix rewrite
  POST /_control/reset   forget faults, aliases and the request log
  GET  /_control/log     every request so far: method, path, query, headers, body
"""
import argparse
import sys
import gzip
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import artemis_api  # noqa: E402  (beside this file: the generated Artemis API)
import hyperliquid_api  # noqa: E402  (beside this file: the paged Hyperliquid info endpoint)
import coingecko_api  # noqa: E402  (beside this file: a generated CoinGecko API)
import binance_api  # noqa: E402  (beside this file: Binance tickers from recorded ones)
import kraken_api  # noqa: E402  (beside this file: Kraken tickers of a recorded market)

STATE_LOCK = threading.Lock()
STATE = {"faults": [], "aliases": [], "log": []}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "tm-fixture/1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, a reused
    # keep-alive connection stalls each response on the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def _send(self, status, body=b"", headers=None, content_type="application/json"):
        headers = dict(headers or {})
        if body and "gzip" in self.headers.get("Accept-Encoding", "") and len(body) > 1024:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self.send_response(status)
        self.send_header("Content-Type", headers.pop("Content-Type", content_type))
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _control(self, path, body):
        with STATE_LOCK:
            if path == "/_control/faults":
                STATE["faults"].extend(json.loads(body or b"[]"))
            elif path == "/_control/alias":
                STATE["aliases"].append(json.loads(body))
            elif path == "/_control/reset":
                STATE.update(faults=[], aliases=[], log=[])
            elif path == "/_control/log":
                return self._send(200, json.dumps(STATE["log"]).encode())
            else:
                return self._send(404, b"unknown control path", content_type="text/plain")
        self._send(200, b"{}")

    def _fault_for(self, path):
        with STATE_LOCK:
            for fault in STATE["faults"]:
                pattern = fault.get("path", "*")
                hit = path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern
                if hit and fault.get("times", -1) != 0:
                    if fault.get("times", -1) > 0:
                        fault["times"] -= 1
                    return dict(fault)
        return None

    def _file_for(self, path, query=""):
        with STATE_LOCK:
            for alias in STATE["aliases"]:
                if path.startswith(alias["from"]):
                    path = alias["to"] + path[len(alias["from"]):]
                    break
        base = os.path.realpath(self.server.root)
        candidates = [f"{path}@{param}.json" for param in query.split("&") if param]
        for candidate in candidates + [path, path + ".json"]:
            full = os.path.realpath(os.path.join(base, candidate.lstrip("/")))
            if full.startswith(base + os.sep) and os.path.isfile(full):
                return full
        return None

    def _handle(self):
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if parts.path.startswith("/_control/"):
            return self._control(parts.path, body)
        with STATE_LOCK:
            STATE["log"].append({"method": self.command, "path": parts.path, "query": parts.query,
                                 "headers": dict(self.headers.items()),
                                 "body": body.decode("utf-8", "replace"), "at": time.time()})
        fault = self._fault_for(parts.path)
        file = self._file_for(parts.path, parts.query)
        content = open(file, "rb").read() if file else None
        status = 200
        if content is None and parts.path.startswith("/artemis/"):
            status, text = artemis_api.answer(parts.path[len("/artemis"):], parts.query)
            content = text.encode()
        if content is None and parts.path == "/binance/api/v3/klines":
            status, text = binance_api.klines(self.server.root, parts.query)
            content = text.encode()
        if content is None and parts.path == "/binance/api/v3/ticker/24hr":
            status, text = binance_api.answer(self.server.root, parts.query)
            content = text.encode()
        if content is None and parts.path == "/binance/api/v3/ticker/price":
            status, text = binance_api.prices(self.server.root)
            content = text.encode()
        if content is None and parts.path == "/kraken/0/public/Ticker":
            status, text = kraken_api.answer(self.server.root, parts.query)
            content = text.encode()
        if content is None and parts.path.startswith("/coinbase/products/"):
            # Coinbase Exchange's answer for a product it does not have.
            status, content = 404, b'{"message":"NotFound"}'
        if content is None and parts.path.startswith("/defillama/protocol/"):
            # DefiLlama's answer for an unknown protocol slug: 400, a plain text body.
            status, content = 400, b"Protocol not found"
        if content is None and parts.path.startswith("/coingecko/"):
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, text = coingecko_api.answer(parts.path[len("/coingecko"):], parts.query, headers)
            content = text.encode()
        if content is None and parts.path == "/hyperliquid/info" and self.command == "POST":
            status, text = hyperliquid_api.answer(self.server.root, body)
            content = text.encode()
        if content is None and parts.path.startswith("/hooks/") and self.command == "POST":
            status, content = 200, b"ok"
        if content is None and parts.path.startswith("/ping/"):
            status, content = 200, b"OK"
        if fault:
            time.sleep(fault.get("delay", 0))
            if fault.get("reset"):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.close_connection = True
                self.connection.close()
                return
            if "short_body" in fault:
                data = content or b""
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: fault["short_body"]])
                self.wfile.flush()
                self.close_connection = True
                return
            if "cut" in fault:
                return self._send(200, (content or b"")[: fault["cut"]])
            if "status" in fault or "body" in fault:
                headers = fault.get("headers", {})
                return self._send(fault.get("status", 200), fault.get("body", "").encode(), headers,
                                  headers.get("Content-Type", "text/plain"))
        if content is None:
            return self._send(404, b"not found", content_type="text/plain")
        self._send(status, content)

    do_GET = _handle
    do_POST = _handle
    do_HEAD = _handle


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--port", type=int, default=0)
    # 0.0.0.0 only inside a container (tests/containers), where the stack reaches it by name.
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    # socketserver listens with a backlog of 5: a client opening 8 connections at once (tm's
    # default concurrency) had some of its SYNs dropped and resent a second later.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.root = args.root
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
