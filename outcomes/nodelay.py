"""Send small responses at once: TCP_NODELAY on the sockets the server listens on.

Streamlit binds its listening socket itself without naming TCP as its protocol, and asyncio
only switches off Nagle's algorithm for connections on sockets that name it. Every response
written in two parts (headers, then a small body) and every run of small websocket frames then
waited for the browser's delayed acknowledgement: about 40 ms for each small file after the
first on a kept-alive connection. Linux gives an accepted connection its listening socket's
TCP_NODELAY, so it is set on the listening sockets themselves, found among the process's open
files: no server internals are touched. Where there is no /proc (not Linux) nothing changes.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path


def listen_without_nagle(fds: Path = Path("/proc/self/fd")) -> int:
    """Set TCP_NODELAY on every listening TCP socket of this process; how many were set."""
    if not fds.is_dir():
        return 0
    done = 0
    for entry in fds.iterdir():
        try:
            if not os.readlink(entry).startswith("socket:"):
                continue
            sock = socket.socket(fileno=os.dup(int(entry.name)))
        except (OSError, ValueError):  # closed meanwhile, or not a socket Python can wrap
            continue
        with sock:
            listening = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
            tcp = (
                sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
            )
            if listening and tcp:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                done += 1
    return done
