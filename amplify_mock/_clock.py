"""The one place the mock reads the time.

``time.time`` is looked up on every call, so freezegun (which swaps the module attribute)
and time-machine (which patches the C function) both move it.
"""

from __future__ import annotations

import time


def now() -> float:
    return time.time()
