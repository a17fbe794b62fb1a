"""The in-process shortcut: what botocore's rest-json parser would make of a successful reply,
built straight from the operation's result, so a boto3 call skips JSON both ways.

It mirrors ``botocore.parsers.RestJSONParser`` member for member: structure members in the
shape's order, absent and null members left out, members the shape lacks dropped, lists and maps
copied, booleans through ``ensure_boolean``, timestamps through the very function botocore's
parser uses (so they are the same tz-aware datetimes, freezegun's included). Output shapes that
use anything else (payload or header members, documents, unions, blobs, JSON values) get no
converter, and the caller serializes and parses as before.
"""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from botocore.utils import ensure_boolean, get_tzinfo_options, parse_timestamp

Convert = Callable[[Any], Any]


class _Unsupported(Exception):
    pass


class ParsedBuilder:
    """Converters from results to parsed replies, compiled once per output shape.

    Every client has its own service model, but clients made from sessions that share a loader
    cache (boto3's default session, and every session ``_sessions`` makes) build it from the
    same loaded document: converters are kept per document and shape name, so a new client per
    test does not compile them again. The documents of the last few models are held, so their
    ids cannot be reused while they key anything.
    """

    _DOCUMENTS = 8

    def __init__(self, timestamp_parser: Callable[[Any], Any]) -> None:
        self.timestamps = Timestamps(timestamp_parser)
        self._cache: Dict[Tuple[int, str], Optional[Convert]] = {}
        self._documents: Dict[int, Any] = {}
        self._lock = threading.Lock()

    def stamps(self) -> Convert:
        """botocore's timestamp parser for one reply (operations that build their reply
        parsed call it directly; converters refresh it themselves)."""
        self.timestamps.refresh()
        return self.timestamps.stamp

    def converter(self, shape: Any) -> Optional[Convert]:
        """A function from an operation's result to its parsed members, or None if unsupported."""
        # The shapes of the loaded model (botocore's ShapeResolver keeps them as loaded).
        document = getattr(getattr(shape, "_shape_resolver", None), "_shape_map", shape)
        key = (id(document), shape.name)
        try:
            return self._cache[key]
        except KeyError:
            pass
        convert: Optional[Convert]
        try:
            if shape.serialization.get("payload") or any(
                member.serialization.get("location") for member in shape.members.values()
            ):
                raise _Unsupported
            convert = _refreshing(self.timestamps, self._compile(shape, {}))
        except _Unsupported:
            convert = None
        with self._lock:
            if id(document) not in self._documents:
                if len(self._documents) >= self._DOCUMENTS:
                    self._documents.clear()
                    self._cache.clear()
                self._documents[id(document)] = document
            self._cache[key] = convert
        return convert

    def _compile(self, shape: Any, building: Dict[str, List[Convert]]) -> Optional[Convert]:
        """None means "the value as it is" (strings)."""
        kind = shape.type_name
        if kind == "string":
            if shape.serialization.get("jsonvalue") or shape.metadata.get("jsonvalue"):
                raise _Unsupported
            return None
        if kind == "boolean":
            return ensure_boolean  # type: ignore[no-any-return]
        if kind in ("integer", "long"):
            return int
        if kind in ("float", "double"):
            return float
        if kind == "timestamp":
            return self.timestamps
        if kind == "list":
            return _list(self._compile(shape.member, building))
        if kind == "map":
            return _map(self._compile(shape.key, building), self._compile(shape.value, building))
        if kind == "structure":
            if shape.is_document_type or getattr(shape, "is_tagged_union", False):
                raise _Unsupported
            pending = building.get(shape.name)
            if pending is not None:  # a recursive shape: call through the cell once it is filled
                return lambda value: pending[0](value)
            cell: List[Convert] = []
            building[shape.name] = cell
            members: List[Tuple[str, str, Optional[Convert]]] = []
            for name, member in shape.members.items():
                members.append(
                    (name, member.serialization.get("name", name), self._compile(member, building))
                )
            convert = _structure(tuple(members))
            cell.append(convert)
            return convert
        raise _Unsupported


class Timestamps:
    """botocore's timestamp parser, remembering its recent answers, and quicker to the same ones.

    botocore makes a tz-aware local datetime, ``datetime.fromtimestamp(value, tzlocal())``,
    through dateutil's pure-Python ``tzlocal``: a new zone object and about 5 to 25 us each, and
    a job reports up to nine. Here the zone is made once per context (tzlocal reads the zone
    when made, so the datetimes are the same), the datetime is computed as dateutil computes it
    with its own few ``time.localtime`` calls and C datetime arithmetic (see :func:`_local_maker`),
    and a test that polls a job, reading the same instants again and again, gets the one already
    made: datetimes are immutable. All of it holds while nothing it depends on changes: the
    datetime class (freezegun swaps it) and the local time zone (``time.tzset``). When either
    changes, or the cache is full, it starts over.

    :attr:`stamp` is the parser as a plain function, remade by each :meth:`refresh`: a reply
    that lists fifty jobs makes a hundred new datetimes, and calling a closure costs less than
    calling an instance, then a method.
    """

    __slots__ = ("_parse", "_seen", "_context", "_size", "_zone", "_local", "stamp")

    def __init__(self, parse: Convert, size: int = 512) -> None:
        self._parse = parse
        self._seen: Dict[float, Any] = {}
        self._context: Tuple[Any, ...] = ()
        self._size = size
        self._zone: Optional[datetime.tzinfo] = None
        self._local: Optional[Convert] = None
        self.stamp: Convert = self._stamper()

    def refresh(self) -> None:
        """Forget every remembered answer if what they depend on changed, or if there are too
        many; called once per reply, before its timestamps are converted."""
        context = (datetime.datetime, time.timezone, time.altzone, time.daylight, time.tzname)
        if context == self._context:
            if len(self._seen) >= self._size:
                # Emptied in place: the stamper holds it. Kept small, so that a walk through
                # thousands of jobs read once does not drag a large table and thousands of
                # datetimes through the cache; a poll reads the same few instants again.
                self._seen.clear()
            return
        self._seen = {}
        self._context = context
        self._zone = get_tzinfo_options()[0]() if self._parse is parse_timestamp else None
        self._local = _local_maker(self._zone, datetime.datetime)
        self.stamp = self._stamper()

    def __call__(self, value: Any) -> Any:
        return self.stamp(value)

    def _stamper(self) -> Convert:
        seen, parse, local, slow = self._seen, self._parse, self._local, self._slow
        low, high = _FAST_RANGE if local is not None else (0.0, 0.0)
        offset = _one_offset(self._zone, datetime.datetime)
        if offset is not None:
            # One offset all year (UTC, as on most CI machines): local(value) inlined, the
            # call being a good part of a new datetime's cost. Checked against botocore's
            # parser with the rest in tests/test_timestamps.py.
            zone, from_utc, combine = self._zone, _REALS[0].fromtimestamp, _REALS[0].combine
            # The last whole second made, and the datetime made for it; and the differences
            # (whole seconds) between consecutive whole seconds made so far, as timedeltas.
            # With one offset, the datetime of a whole second is that of another whole second
            # plus their difference, exactly (fold 0, the same tzinfo), for about 60% of
            # the cost: a job's end comes its duration after its start, and a reply's instants
            # are mostly the same few durations apart (a step after the one before, jobs of
            # the same durations). The last is one tuple, replaced whole: threads share this
            # function.
            last: Tuple[Optional[float], Any] = (None, None)
            shifts: Dict[float, datetime.timedelta] = {}

            def stamp_one_offset(value: Any) -> Any:
                nonlocal last
                parsed = seen.get(value)
                if parsed is not None:
                    return parsed
                # A whole second a known difference after the last one made (most instants of
                # a job never read before): the shift below, with no other test on the way.
                previous, made = last
                if previous is not None and type(value) is float and low <= value < high:
                    shift = shifts.get(value - previous) if value.is_integer() else None
                    if shift is not None:
                        parsed = made + shift
                        last = (value, parsed)
                        seen[value] = parsed
                        return parsed
                if type(value) is not float:
                    return parse(value)
                if low <= value < high:
                    whole = value.is_integer()
                    if whole and previous is not None:
                        # A new difference (the shift above missed): remembered for the next.
                        difference = value - previous  # exact: both whole, below 2**53
                        if len(shifts) < _SHIFTS:
                            shifts[difference] = _REAL_TIMEDELTA(seconds=difference)
                    wall = from_utc(value, _UTC)
                    if offset:
                        wall += offset
                    parsed = combine(wall, wall.time(), zone)
                    if whole:
                        last = (value, parsed)
                    seen[value] = parsed
                else:
                    parsed = seen[value] = slow(value)
                return parsed

            # Other code may make an instant from another one made already, with these
            # shifts (see shifted_from): a job's steps from its start.
            stamp_one_offset.shifts = shifts  # type: ignore[attr-defined]
            return stamp_one_offset

        def stamp(value: Any) -> Any:
            parsed = seen.get(value)
            if parsed is None:
                if type(value) is not float:
                    return parse(value)
                if low <= value < high:
                    parsed = seen[value] = local(value)  # type: ignore[misc]
                else:
                    parsed = seen[value] = slow(value)
            return parsed

        return stamp

    def _make(self, value: float) -> Any:
        """A new datetime for ``value``, remembering nothing (what :attr:`stamp` makes)."""
        local = self._local
        if local is not None and _FAST_RANGE[0] <= value < _FAST_RANGE[1]:
            return local(value)
        return self._slow(value)

    def _slow(self, value: float) -> Any:
        if self._zone is not None:
            try:
                # What botocore's parse_timestamp does first, with the datetime class of the moment.
                return datetime.datetime.fromtimestamp(value, self._zone)
            except (OSError, OverflowError):
                pass  # botocore's own fallbacks
        return self._parse(value)


def shifts_of(stamp: Convert, anchor: Any) -> Optional[Dict[float, datetime.timedelta]]:
    """The whole-second shifts by which instants may be made from ``anchor`` (what ``stamp``
    made of it plus the shift of their difference), or None when they may not: ``stamp`` is
    not the one-offset stamper, or ``anchor`` is not a whole second it makes on its quick
    path. With one offset all year, the datetime of a whole second is that of another plus
    their difference, exactly (see Timestamps._stamper).

    A caller makes ``value`` as ``anchor_made + shifts[value - anchor]`` when the shift is
    known and ``value`` is in the quick path's range, else with :func:`shifted_from`."""
    shifts: Optional[Dict[float, datetime.timedelta]] = getattr(stamp, "shifts", None)
    if shifts is None or type(anchor) is not float or not anchor.is_integer():
        return None
    return shifts if _FAST_RANGE[0] <= anchor < _FAST_RANGE[1] else None


def shifted_from(
    stamp: Convert,
    shifts: Dict[float, datetime.timedelta],
    anchor: float,
    anchor_made: Any,
    value: Any,
) -> Any:
    """``stamp(value)``, remembering the shift from ``anchor`` (see :func:`shifts_of`) when
    ``value`` is a whole second of the quick path's range: the next job of the same durations
    finds it."""
    made = stamp(value)
    if (
        type(value) is float
        and value.is_integer()
        and _FAST_RANGE[0] <= value < _FAST_RANGE[1]
        and len(shifts) < _SHIFTS
    ):
        # Both made on the quick path with the one offset and the same zone: their
        # difference is that of the seconds, exactly.
        shifts[value - anchor] = made - anchor_made
    return made


# Instants the quick path makes (1970 to 3000): time.localtime and datetime cover them with
# days to spare either side, so it raises nothing dateutil's path would not.
_FAST_RANGE = (0.0, 32503680000.0)
QUICK_RANGE = _FAST_RANGE
_UTC = datetime.timezone.utc
# The real datetime class, kept inside a tuple: freezegun swaps every module attribute that is
# the class itself (an alias included, as Python 3.13 runs showed), never one inside a tuple.
_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=_UTC)
_REALS = (type(_EPOCH),)
_NO_TIME = datetime.timedelta(0)
_REAL_TIMEDELTA = datetime.timedelta
# Differences remembered per reply context (see Timestamps._stamper).
_SHIFTS = 64


def _is_tzlocal(zone: Optional[datetime.tzinfo]) -> bool:
    return type(zone).__name__ == "tzlocal" and type(zone).__module__ == "dateutil.tz.tz"


def _one_offset(zone: Optional[datetime.tzinfo], cls: Any) -> Optional[datetime.timedelta]:
    """The zone's only offset, when :func:`_local_maker` would make real datetimes with one
    offset all year (its ``not saved`` case), else None."""
    if cls is not _REALS[0] or not _is_tzlocal(zone):
        return None
    standard = datetime.timedelta(seconds=-time.timezone)
    if time.daylight and datetime.timedelta(seconds=-time.altzone) != standard:
        return None
    return standard


def _local_maker(zone: Optional[datetime.tzinfo], cls: Any) -> Optional[Convert]:
    """``cls.fromtimestamp(value, zone)`` for dateutil's ``tzlocal`` zone, made without
    dateutil's Python code, or None for any other zone or datetime class.

    dateutil's ``tzlocal`` knows two offsets, standard ``S = -time.timezone`` and daylight
    ``D = -time.altzone`` (``S`` too without ``time.daylight``), and asks
    ``time.localtime(naive seconds + time.timezone).tm_isdst`` whether a wall time is in
    daylight time. Its ``fromutc`` (``_tzinfo._fromutc``, ``_isdst``, ``is_ambiguous`` and
    ``_fold_status``) then amounts to: ``w = utc + S``; if ``w`` is in daylight time the wall
    time is ``w + (D - S)`` with fold 0; else it is ``w``, with fold 1 if ``w - (D - S)`` is in
    daylight time (``w`` is ambiguous: the repeated hour), else 0. The same localtime questions
    are asked here on the same naive seconds, so the answers are the same datetimes, fold
    included (``tests/test_timestamps.py`` checks across zones and around their changes).
    """
    if not _is_tzlocal(zone):
        return None
    real = _REALS[0]
    if cls is real:
        wrap: Optional[Callable[[datetime.datetime], Any]] = None
    elif cls.__name__ == "FakeDatetime" and cls.__module__ == "freezegun.api":
        # freezegun's fromtimestamp(value, tz) rebuilds the real result as its own class from
        # the fields and tzinfo (fold left out): freezegun.api.datetime_to_fakedatetime.
        def wrap(made: datetime.datetime) -> Any:
            return cls(
                made.year, made.month, made.day, made.hour, made.minute, made.second,
                made.microsecond, made.tzinfo,
            )
    else:
        return None
    standard = datetime.timedelta(seconds=-time.timezone)
    saved = datetime.timedelta(seconds=-time.altzone) - standard if time.daylight else _NO_TIME
    shift = time.timezone
    localtime = time.localtime

    def is_dst(wall: datetime.datetime) -> int:
        # dateutil's tzlocal._naive_is_dst: the wall time's fields as UTC seconds (wall is kept
        # in UTC here, so the difference is that of the naive fields).
        return localtime((wall - _EPOCH_UTC).total_seconds() + shift).tm_isdst

    combine, clock_time = real.combine, datetime.time

    def make(value: float) -> Any:
        # combine(wall, wall.time(), zone) rather than wall.replace(tzinfo=zone): the same
        # datetime for a fifth of the cost (replace parses keyword arguments).
        wall = real.fromtimestamp(value, _UTC)
        if standard:
            wall += standard
        if not saved:
            made = combine(wall, wall.time(), zone)
        elif is_dst(wall):
            wall += saved
            made = combine(wall, wall.time(), zone)
        elif is_dst(wall - saved):
            # The repeated hour, outside daylight time: its second pass.
            moment = clock_time(wall.hour, wall.minute, wall.second, wall.microsecond, fold=1)
            made = combine(wall, moment, zone)
        else:
            made = combine(wall, wall.time(), zone)
        return made if wrap is None else wrap(made)

    return make


def _refreshing(timestamps: Timestamps, convert: Optional[Convert]) -> Convert:
    if convert is None:  # an output shape is a structure; this is only for the type checker
        raise _Unsupported

    def convert_reply(value: Any) -> Any:
        timestamps.refresh()
        return convert(value)

    return convert_reply


def _structure(members: Tuple[Tuple[str, str, Optional[Convert]], ...]) -> Convert:
    def convert(value: Any) -> Any:
        if value is None:
            return None
        out: Dict[str, Any] = {}
        for name, wire, member in members:
            raw = value.get(wire)
            if raw is not None:
                out[name] = raw if member is None else member(raw)
        return out

    return convert


def _list(item: Optional[Convert]) -> Convert:
    if item is None:
        return lambda value: [x for x in value]  # noqa: C416 - a copy, as the parser makes
    return lambda value: [None if x is None else item(x) for x in value]


def _map(key: Optional[Convert], value: Optional[Convert]) -> Convert:
    if key is None and value is None:
        return lambda mapping: {k: v for k, v in mapping.items()}  # noqa: C416 - a copy
    key_of: Convert = key or _same
    value_of: Convert = value or _same
    return lambda mapping: {key_of(k): value_of(v) for k, v in mapping.items()}


def _same(value: Any) -> Any:
    return value
