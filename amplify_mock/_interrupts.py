"""Holding Ctrl+C back while the mock installs or removes its patches.

A KeyboardInterrupt raised between two patches would leave the process half patched: Amplify
calls answered in memory while raw requests reach AWS, or fake credentials left behind in a
REPL. While held, a SIGINT is recorded instead of raised, and delivered (to whatever handler
was in place) as soon as the step is complete or undone. Only the main thread receives
signals, so elsewhere nothing is held.
"""

from __future__ import annotations

import importlib
import signal
import threading
from types import FrameType, TracebackType
from typing import Any, Callable, Optional, Type, Union

# The C functions signal.signal and signal.getsignal wrap, without the wrappers' attempt to turn
# each handler into an enum (an exception per call for a Python handler, costing as much as the
# rest of a start); same behaviour otherwise.
try:
    _c_signal: Any = importlib.import_module("_signal")
except ImportError:  # pragma: no cover - not CPython
    _c_signal = signal
_getsignal = _c_signal.getsignal
_setsignal = _c_signal.signal

_Handler = Union[Callable[[int, Optional[FrameType]], Any], int, signal.Handlers, None]


class held:  # noqa: N801 - used as a context manager, like contextlib's
    """Hold SIGINT back in the main thread for the duration of a ``with`` block."""

    __slots__ = ("_previous", "_pending", "_frame")

    def __init__(self) -> None:
        self._previous: _Handler = None
        self._pending = False
        self._frame: Optional[FrameType] = None

    def __enter__(self) -> held:
        if threading.current_thread() is not threading.main_thread():
            return self
        try:
            previous = _getsignal(signal.SIGINT)
        except ValueError:  # a sub-interpreter, say: no signals here
            return self
        # SIG_DFL kills the process and SIG_IGN ignores the signal: nothing to hold back then.
        if callable(previous):
            self._previous = previous
            try:
                _setsignal(signal.SIGINT, self._hold)
            except BaseException:
                _setsignal(signal.SIGINT, previous)
                raise
        return self

    @property
    def pending(self) -> bool:
        """Whether a SIGINT came while held (it is delivered when the block exits)."""
        return self._pending

    def _hold(self, signum: int, frame: Optional[FrameType]) -> None:
        self._pending = True
        self._frame = frame

    def __exit__(
        self,
        kind: Optional[Type[BaseException]],
        error: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        previous = self._previous
        if previous is None:
            return
        _setsignal(signal.SIGINT, previous)
        self._previous = None
        if self._pending and callable(previous):
            self._pending = False
            previous(signal.SIGINT, self._frame)  # the default handler raises KeyboardInterrupt
