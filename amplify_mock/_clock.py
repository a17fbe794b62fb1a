"""The one place the mock reads the time.

``time.time`` is looked up on every call, so freezegun (which swaps the module attribute)
and time-machine (which patches the C function) both move it.
"""

from __future__ import annotations

import math
import threading
import time

# The range an offset or advance may move the clock to: from the epoch (earlier instants are
# negative timestamps, which not every platform's datetime accepts) to the start of year 9900,
# which leaves room for the longest job (six phases of at most 10 years, see
# ``_lifecycle.MAX_PHASE_SECONDS``) to be reported within year 9999. Beyond that, every reply
# that carries a time would be one botocore cannot parse.
EARLIEST = 0.0  # 1970-01-01T00:00:00Z
LATEST = 250246627200.0  # 9900-01-01T00:00:00Z
_RANGE = "between 1970-01-01T00:00:00Z and 9900-01-01T00:00:00Z"

# Seconds added to the real clock: how the server moves time for clients that cannot use
# freezegun. Reset with the backends.
_offset = 0.0
_offset_lock = threading.Lock()


def now() -> float:
    return time.time() + _offset


def offset() -> float:
    return _offset


def reset() -> None:
    """Back to the real clock (or freezegun's, or time-machine's), wherever it stands."""
    global _offset
    with _offset_lock:
        _offset = 0.0


def set_offset(seconds: float) -> float:
    global _offset
    seconds = _finite(seconds, "offset")
    with _offset_lock:
        if seconds:
            _check_reachable(time.time() + seconds, "offset", seconds)
        _offset = seconds
        return _offset


def advance(seconds: float) -> float:
    global _offset
    seconds = _finite(seconds, "advance")
    if seconds < 0:
        raise ValueError(f"advance must be >= 0 (time does not go back), got {seconds!r}")
    with _offset_lock:
        if seconds:
            _check_reachable(time.time() + _offset + seconds, "advance", seconds)
        _offset += seconds
        return _offset


def _check_reachable(instant: float, name: str, seconds: float) -> None:
    if not EARLIEST <= instant <= LATEST:
        raise ValueError(
            f"{name} must keep the mock's clock {_RANGE}, so that every time it reports stays "
            f"within year 9999; {seconds!r} would put it at {instant!r} seconds since the epoch"
        )


def _finite(seconds: float, name: str) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
        raise ValueError(f"{name} must be a finite number of seconds, got {seconds!r}")
    return float(seconds)
