#!/usr/bin/env python3
"""Real clients against tm serve, for tests/e2e/test_serve.sh.

  serve_load.py idle --port P [--idle 100] [--clients 20] [--seconds 3] [--bound 2]
      Opens IDLE connections that stall (half of them send nothing, half send the start of a
      request head and never finish it), then runs CLIENTS keep-alive clients asking /health as
      fast as they can for SECONDS, plus one client that times /health on a new connection every
      0.1 s. Fails (exit 1) unless every /health answered 200 within BOUND seconds and the idle
      connections were still open while it ran. Prints one line of figures.

  serve_load.py hold --port P [--idle 100] --seconds S
      Opens IDLE connections that send nothing and keeps them open for S seconds (scripts/bench
      serve runs wrk meanwhile). Prints "ready" once they are open.

  serve_load.py times --port P [--requests 20] PATH
      One keep-alive client asks PATH REQUESTS times in a row (after two to warm up) and prints
      "P50_MS P95_MS MAX_MS SERVER_P50_MS BYTES": times as the client saw them, and the median of
      the Server-Timing "app" duration (0 when the server sends none). Fails unless every answer
      is 200. For scripts/bench serve's page timings.

  serve_load.py closes --port P --within S [--partial]
      Opens one connection (with --partial: sends half a request head) and waits for the server
      to close it; fails unless it does within S seconds.
"""
import argparse
import http.client
import socket
import sys
import threading
import time


def health(conn, bound):
    start = time.monotonic()
    conn.request("GET", "/health")
    response = conn.getresponse()
    response.read()
    elapsed = time.monotonic() - start
    if response.status != 200:
        raise RuntimeError(f"/health answered {response.status}")
    if elapsed > bound:
        raise RuntimeError(f"/health took {elapsed:.2f} s (bound {bound} s)")
    return elapsed


def idle(args):
    idle_socks = []
    for i in range(args.idle):
        s = socket.create_connection(("127.0.0.1", args.port), timeout=args.bound)
        if i % 2:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # a head that never ends
        idle_socks.append(s)
    # Give the server a moment to have accepted them all before the clients start.
    time.sleep(0.2)

    errors = []
    latencies = []
    lock = threading.Lock()
    stop_at = time.monotonic() + args.seconds

    def client(fresh_each_time):
        conn = None
        try:
            while time.monotonic() < stop_at:
                if conn is None or fresh_each_time:
                    if conn is not None:
                        conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.bound + 10)
                elapsed = health(conn, args.bound)
                with lock:
                    latencies.append(elapsed)
                if fresh_each_time:
                    time.sleep(0.1)
        except Exception as e:  # any failure is the test's finding
            with lock:
                errors.append(f"{type(e).__name__}: {e}")
        finally:
            if conn is not None:
                conn.close()

    threads = [threading.Thread(target=client, args=(False,)) for _ in range(args.clients)]
    threads.append(threading.Thread(target=client, args=(True,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # The stalled connections must still have been open (not closed early to make the test pass).
    still_open = 0
    for s in idle_socks:
        s.setblocking(False)
        try:
            still_open += 1 if s.recv(1) else 0  # data: open (unexpected, but open)
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
        s.close()

    latencies.sort()
    if latencies:
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"{len(latencies)} /health answers with {args.idle} idle connections open "
              f"({still_open} still open after): median {latencies[len(latencies) // 2] * 1000:.1f} ms, "
              f"p99 {p99 * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    for e in errors[:5]:
        print(e, file=sys.stderr)
    if errors or not latencies:
        print(f"{len(errors)} of {args.clients + 1} clients failed", file=sys.stderr)
        return 1
    if still_open < args.idle:
        print(f"only {still_open} of {args.idle} idle connections stayed open during the run", file=sys.stderr)
        return 1
    return 0


def hold(args):
    socks = [socket.create_connection(("127.0.0.1", args.port), timeout=10) for _ in range(args.idle)]
    print("ready", flush=True)
    time.sleep(args.seconds)
    still_open = 0
    for s in socks:
        s.setblocking(False)
        try:
            still_open += 1 if s.recv(1) else 0
        except BlockingIOError:
            still_open += 1
        except OSError:
            pass
    print(f"{still_open} of {args.idle} still open", flush=True)
    return 0


def closes(args):
    s = socket.create_connection(("127.0.0.1", args.port), timeout=args.within)
    if args.partial:
        s.sendall(b"GET /health HTTP/1.1\r\n")
    start = time.monotonic()
    try:
        data = s.recv(4096)
    except socket.timeout:
        print(f"the server kept the connection open for {args.within} s", file=sys.stderr)
        return 1
    except ConnectionResetError:
        data = b""
    elapsed = time.monotonic() - start
    if data:
        print(f"expected the server to close the connection, got {data[:80]!r}", file=sys.stderr)
        return 1
    print(f"closed after {elapsed:.1f} s")
    return 0


def times(args):
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
    took, server, size = [], [], 0
    for i in range(args.requests + 2):
        start = time.monotonic()
        conn.request("GET", args.path)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.monotonic() - start) * 1000
        if response.status != 200:
            print(f"{args.path} answered {response.status}", file=sys.stderr)
            return 1
        if i < 2:
            continue
        took.append(elapsed)
        size = len(body)
        timing = response.getheader("Server-Timing") or ""
        server.append(float(timing.split("dur=")[1]) if "dur=" in timing else 0.0)
    took.sort()
    server.sort()
    pick = lambda v, q: v[min(len(v) - 1, int(len(v) * q))]
    print(f"{pick(took, 0.5):.1f} {pick(took, 0.95):.1f} {took[-1]:.1f} {pick(server, 0.5):.1f} {size}")
    return 0


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("idle")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--idle", type=int, default=100)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=3)
    p.add_argument("--bound", type=float, default=2)
    p = sub.add_parser("hold")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--idle", type=int, default=100)
    p.add_argument("--seconds", type=float, required=True)
    p = sub.add_parser("times")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("path")
    p = sub.add_parser("closes")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--within", type=float, required=True)
    p.add_argument("--partial", action="store_true")
    args = parser.parse_args()
    return {"idle": idle, "hold": hold, "times": times, "closes": closes}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
