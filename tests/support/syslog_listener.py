#!/usr/bin/env python3
"""A syslog receiver for tests: binds a unix datagram socket (e.g. /dev/log on a machine without a
syslog daemon) and appends every message, one per line, to a file. cron logs there what it runs,
what failed and any output it would have mailed."""
import os
import socket
import sys

path, out_path = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
os.chmod(path, 0o666)
with open(out_path, "a", buffering=1) as out:
    while True:
        out.write(sock.recv(65536).decode(errors="replace").rstrip("\n") + "\n")
