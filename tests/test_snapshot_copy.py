"""The class snapshot's copy shares locks and goes on with counters wherever they sit, also in
the attributes of an object whose ``vars()`` was never assigned: from Python 3.13 such a dict
reports none of its values to ``gc.get_referents``."""

from __future__ import annotations

import itertools
import threading
from typing import Any

from amplify_mock import _snapshot


class _Holder:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.plain = threading.Lock()
        self.ids = itertools.count(5)
        self.items = [1, 2]


def test_a_fresh_objects_attributes_share_the_locks_and_go_on_counting() -> None:
    holder = _Holder()
    state: Any = _snapshot._copy(vars(holder), {})
    assert state["lock"] is holder.lock and state["plain"] is holder.plain
    assert state["items"] == [1, 2] and state["items"] is not holder.items
    assert next(state["ids"]) == 5 and next(holder.ids) == 5


def test_a_nested_fresh_object_is_copied_with_its_lock_shared() -> None:
    outer = _Holder()
    outer.items.append(_Holder())
    state: Any = _snapshot._copy(vars(outer), {})
    inner = state["items"][2]
    assert inner is not outer.items[2] and inner.lock is outer.items[2].lock
