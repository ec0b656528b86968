"""Ledger columns packed for the trip between processes, with no object per cell where avoidable.

pickle writes every cell of a list as an object of its own. A worker instead sends a column of
numbers as one typed array, and a column of few distinct values (dates, choices, communities)
as those values once plus an array of small codes; the reading process is then also left with
one object per distinct value rather than one per cell. A column of distinct texts (keys,
names, addresses) goes as one string joined on NUL, split again in C on arrival; other columns
go as lists.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import Any

Packed = tuple[str, Any] | tuple[str, Any, Any]

_CODE_TYPES = ((1 << 8, "B"), (1 << 16, "H"), (1 << 32, "L"))
_SAMPLE = 1000  # values looked at first, to tell a column of few distinct values


def pack(values: Sequence[Any]) -> Packed:
    """A compact, picklable form of ``values``; ``unpack`` gives back an equal list."""
    if isinstance(values, range):
        return ("range", values)
    kinds = set(map(type, values))
    if kinds == {float}:
        return ("float", array("d", values))
    if kinds == {int}:
        try:
            return ("int", array("q", values))
        except OverflowError:
            return ("list", list(values))
    if len(kinds - {type(None)}) == 1 and not kinds & {float, int, bool}:
        return _coded(values) or (_texts(values) if kinds == {str} else ("list", list(values)))
    return ("list", list(values))


def _coded(values: Sequence[Any]) -> Packed | None:
    """Distinct values and codes, when there are few; one type only, so no ``1 == True`` mix-up."""
    head = values[:_SAMPLE]
    if len(set(head)) * 2 > len(head):  # keys, names, addresses: no use counting them all
        return None
    distinct = list(dict.fromkeys(values))
    if len(distinct) * 2 > len(values):
        return None
    code = next(code for bound, code in _CODE_TYPES if len(distinct) <= bound)
    index = {value: number for number, value in enumerate(distinct)}
    return ("coded", distinct, array(code, map(index.__getitem__, values)))


def _texts(values: Sequence[str]) -> Packed:
    """Texts joined on NUL (pickled as one string), unless a text holds NUL itself."""
    joined = "\0".join(values)
    if joined.count("\0") != len(values) - 1:
        return ("list", list(values))
    return ("texts", joined)


def unpack(packed: Packed) -> Sequence[Any]:
    """The values ``pack`` was given: a range stays a range, anything else becomes a list."""
    kind = packed[0]
    if kind == "range":
        return packed[1]
    if kind in ("float", "int"):
        return packed[1].tolist()
    if kind == "coded":
        return list(map(packed[1].__getitem__, packed[2]))
    if kind == "texts":
        return packed[1].split("\0")
    return packed[1]
