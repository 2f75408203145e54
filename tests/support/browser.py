#!/usr/bin/env python3
"""Loads pages in Debian's headless Chromium through chromedriver (the W3C WebDriver protocol,
spoken here with urllib alone) and reports, per page, what a person would see: the title, the
charts and whether each was drawn, console messages, every request the page made, and a
full-page screenshot.

    browser.py --base http://127.0.0.1:PORT --out DIR PATH...

Prints one JSON object per PATH (a line each): path, status (the document's), title, charts
(figure.chart elements), drawn (charts whose script finished: data-ready="1"), canvases (charts
holding a canvas), console (SEVERE and WARNING browser log entries), requests (every URL the
page asked for), text (document.body.innerText), dom (the document's HTML after scripts ran),
pwned (window.__pwned: set only if hostile text ran as script), injected (elements that hostile
text would make if a page pasted it as HTML: img[onerror], svg[onload], inline scripts),
screenshot (the PNG's path).
"""
import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CHROMIUM_ARGS = [
    # As root Chromium needs --no-sandbox; the rest keep it off the network (this machine has
    # none) and quiet: no first-run, sync, component updates or background connections.
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1400,1000",
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Driver:
    def __init__(self, profile):
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["chromedriver", f"--port={self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                self.call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": shutil.which("chromium") or "/usr/bin/chromium",
                "args": CHROMIUM_ARGS + [f"--user-data-dir={profile}"],
            },
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
        }}}
        self.session = self.call("POST", "/session", caps)["sessionId"]
        # A blank page first: what the browser loads for itself at start (its new-tab page) is
        # not the pages' doing.
        self.s("POST", "/url", {"url": "about:blank"})

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.load(r)["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.code} {e.read()[:500]!r}") from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def run(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def logs(self, kind):
        return self.s("POST", "/se/log", {"type": kind})

    def quit(self):
        try:
            self.s("DELETE", "")
        finally:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def page_name(path):
    name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")
    return name or "overview"


def visit(driver, base, path, out):
    driver.logs("browser")
    driver.logs("performance")
    driver.s("POST", "/window/rect", {"width": 1400, "height": 1000})
    driver.s("POST", "/url", {"url": base + path})
    # Scripts are deferred: wait until every chart says it was drawn (or gave up).
    deadline = time.time() + 20
    while time.time() < deadline:
        state = driver.run(
            "const f = document.querySelectorAll('figure.chart');"
            "return [document.readyState, f.length,"
            " [...f].filter(e => e.hasAttribute('data-ready')).length];")
        if state[0] == "complete" and state[1] == state[2]:
            break
        time.sleep(0.1)
    facts = driver.run(
        "const f = [...document.querySelectorAll('figure.chart')];"
        "return {title: document.title, charts: f.length,"
        " drawn: f.filter(e => e.getAttribute('data-ready') === '1').length,"
        " canvases: f.filter(e => e.querySelector('.plot canvas')).length,"
        " text: document.body.innerText, dom: document.documentElement.outerHTML,"
        " pwned: window.__pwned === undefined ? null : String(window.__pwned),"
        " injected: document.querySelectorAll('img[onerror], svg[onload],"
        " script:not([src]):not([type=\"application/json\"])').length,"
        " height: document.documentElement.scrollHeight};")
    console = [e for e in driver.logs("browser") if e.get("level") in ("SEVERE", "WARNING")]
    requests, status = [], None
    for entry in driver.logs("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
        if (message.get("method") == "Network.responseReceived"
                and message["params"].get("type") == "Document" and status is None):
            status = message["params"]["response"]["status"]
    # The whole page in one picture.
    driver.s("POST", "/window/rect", {"width": 1400, "height": min(max(facts["height"], 600), 6000)})
    time.sleep(0.3)
    shot = os.path.join(out, page_name(path) + ".png")
    with open(shot, "wb") as f:
        f.write(base64.b64decode(driver.s("GET", "/screenshot")))
    facts.pop("height")
    facts.update(path=path, status=status, console=console, requests=requests, screenshot=shot)
    return facts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="tm-chromium.")  # a new, empty profile every run
    driver = Driver(profile)
    try:
        for path in args.paths:
            print(json.dumps(visit(driver, args.base, path, args.out)), flush=True)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
