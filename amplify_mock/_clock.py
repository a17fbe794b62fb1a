"""The one place the mock reads the time.

``time.time`` is looked up on every call, so freezegun (which swaps the module attribute)
and time-machine (which patches the C function) both move it.
"""

from __future__ import annotations

import math
import threading
import time

# Seconds added to the real clock: how the server moves time for clients that cannot use
# freezegun. Reset with the backends.
_offset = 0.0
_offset_lock = threading.Lock()


def now() -> float:
    return time.time() + _offset


def offset() -> float:
    return _offset


def set_offset(seconds: float) -> float:
    global _offset
    seconds = _finite(seconds, "offset")
    with _offset_lock:
        _offset = seconds
        return _offset


def advance(seconds: float) -> float:
    global _offset
    seconds = _finite(seconds, "advance")
    if seconds < 0:
        raise ValueError(f"advance must be >= 0 (time does not go back), got {seconds!r}")
    with _offset_lock:
        _offset += seconds
        return _offset


def _finite(seconds: float, name: str) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ValueError(f"{name} must be a finite number of seconds, got {seconds!r}")
    return float(seconds)
