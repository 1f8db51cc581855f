"""Workers are named host:pid:start; on its own machine a worker can tell whether another
worker's process has ended (its claims and its lead are then free at once, without
waiting for a lease to run out)."""

import os
import socket


def dead_local_process(name: str) -> bool:
    """Whether `name` (host:pid:start) is a process of this machine that has ended."""
    parts = name.split(":")
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
