"""A copy of the whole mock state, taken after a test class's set-up and put back before each
of its tests, so every test starts from what the class set-up left and nothing one test
creates reaches the next.

moto's class decorator resets the state before each test instead (and so cannot keep what
``setUpClass`` made); re-running the class set-up per test would change what it means. A
deep copy of the backends is cheap for the few apps and jobs a class set-up makes.
"""

from __future__ import annotations

import copy
import gc
import itertools
import re
import threading
import types
from typing import Any, Dict, List, Optional, Tuple

from . import _clock, domains
from . import jobs as _jobs
from .models import STATE_LOCK, amplify_backends, reset_state

# Locks are shared, not copied: the state's objects all hold the one state lock.
_LOCKS = (
    type(threading.Lock()),
    type(threading.RLock()),
    threading.Condition,
    threading.Event,
    threading.Semaphore,
)
_SETTINGS = (_jobs.settings, domains.settings)
_OPAQUE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
_COUNT = re.compile(r"count\((.+?)(?:, (.+))?\)$")


class _Backend:
    """Stands for the backend an object points back to (an app's ``backend``), so that the
    copy put back points at the live backend instead of at a copy of it."""

    __slots__ = ()


class Snapshot:
    __slots__ = ("backends", "settings", "offset")

    def __init__(
        self,
        backends: Dict[Tuple[str, str], Tuple[_Backend, Dict[str, Any]]],
        settings: List[Dict[str, Any]],
        offset: float,
    ) -> None:
        self.backends = backends
        self.settings = settings
        self.offset = offset


def take() -> Snapshot:
    with STATE_LOCK:
        backends = {}
        for account_id, region, backend in amplify_backends.iter_backends():
            stand_in = _Backend()
            backends[(account_id, region)] = (stand_in, _copy(vars(backend), {id(backend): stand_in}))
        settings = [_copy(vars(kind), {}) for kind in _SETTINGS]
        return Snapshot(backends, settings, _clock.offset())


def restore(snapshot: Optional[Snapshot]) -> None:
    """Put the state back as it was when ``snapshot`` was taken; ``None`` changes nothing."""
    if snapshot is None:
        return
    with STATE_LOCK:
        reset_state()
        for (account_id, region), (stand_in, state) in snapshot.backends.items():
            backend = amplify_backends[account_id][region]
            # One assignment, as the backend's own reset does: never half a backend.
            backend.__dict__ = _copy(state, {id(stand_in): backend})
        for kind, saved in zip(_SETTINGS, snapshot.settings):
            vars(kind).update(_copy(saved, {}))
        _clock.set_offset(snapshot.offset)


def _copy(value: Any, seeds: Dict[int, Any]) -> Any:
    """A deep copy that shares the locks and whose counters go on from where they stood:
    neither can be deep-copied (counters only until Python 3.14)."""
    memo: Dict[int, Any] = dict(seeds)
    keep: List[Any] = []
    stack = [value]
    seen = set(seeds)
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        kind = type(item)
        if kind in _LOCKS:
            memo[id(item)] = item
        elif kind is itertools.count:
            memo[id(item)] = _fresh_count(item)
            keep.append(item)
        elif isinstance(item, dict):
            # Walked by hand, not through the collector: from Python 3.13 an object's
            # attributes live in the object, and the dict vars() returns for it (as a fresh
            # backend's) reports none of them to gc.get_referents.
            stack.extend(dict.keys(item))
            stack.extend(dict.values(item))
            stack.extend(gc.get_referents(item))
        elif not isinstance(item, _OPAQUE):
            stack.extend(gc.get_referents(item))
    try:
        return copy.deepcopy(value, memo)
    except TypeError as error:
        raise TypeError(
            f"amplify_mock cannot copy the state a test class's set-up left ({error}); "
            "each test of the class starts from a copy of it"
        ) from error


def _fresh_count(counter: itertools.count[Any]) -> itertools.count[Any]:
    match = _COUNT.match(repr(counter))
    if match is None:
        raise TypeError(f"unexpected counter {counter!r}")
    start, step = match.groups()
    return itertools.count(_number(start), _number(step) if step is not None else 1)


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return float(text)
