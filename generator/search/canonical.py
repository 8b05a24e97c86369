"""Pagefind's index made byte-identical for the same pages.

Pagefind (1.5) keeps each filter's values in a hash map whose order is
seeded at random per process (its source says so: "TODO: Change filter
indexes to BTree to give them a stable hash"), so two runs on the same
pages write the filter files with their values in another order, under
another name, and a metadata file (and ``pagefind-entry.json``) that name
them. Everything else it writes is the same run after run.

``canonical`` puts each filter's values and the metadata's list of filters
in order, and names the files again after their new bytes. The files are
gzip streams of ``pagefind_dcd`` followed by CBOR (definite lengths,
shortest forms, as minicbor writes it); the small codec below reads and
writes exactly that subset, so a file it does not change keeps its bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

SIGNATURE = b"pagefind_dcd"
ENTRY = "pagefind-entry.json"
_FILTER = re.compile(r"^filter/(?P<hash>[^/]+)\.pf_filter$")
_META = re.compile(r"^pagefind\.(?P<hash>[^/]+)\.pf_meta$")


class FormatError(ValueError):
    """A file is not the Pagefind file this module knows."""


def canonical(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """``files`` (paths inside the bundle folder) with the filter files and
    the metadata in a stable order and named after their content."""
    out = dict(files)
    renamed: dict[str, str] = {}  # a filter file's hash -> its new hash
    for path in sorted(files):
        match = _FILTER.match(path)
        if match is None:
            continue
        old = match["hash"]
        filter_index = decode(_unpack(files[path]))
        if not (isinstance(filter_index, list) and len(filter_index) == 2):
            raise FormatError(f"{path}: not a filter index")
        values = filter_index[1]
        if not isinstance(values, list):
            raise FormatError(f"{path}: no values")
        values.sort(key=lambda value: encode(value[0]))
        data = encode(filter_index)
        new = _name(old, data)
        renamed[old] = new
        del out[path]
        out[f"filter/{new}.pf_filter"] = _pack(data)
    metas = [(path, m["hash"]) for path in sorted(files) if (m := _META.match(path))]
    entry = json.loads(files[ENTRY]) if ENTRY in files else None
    for path, old in metas:
        meta = decode(_unpack(files[path]))
        _rename_filters(meta, renamed)
        data = encode(meta)
        new = _name(old, data)
        del out[path]
        out[f"pagefind.{new}.pf_meta"] = _pack(data)
        if entry is not None:
            for language in entry.get("languages", {}).values():
                if language.get("hash") == old:
                    language["hash"] = new
    if entry is not None:  # its languages are a hash map too: in order
        out[ENTRY] = json.dumps(
            entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    return out


def _rename_filters(meta: Any, renamed: Mapping[str, str]) -> None:
    """The metadata's list of filters (pairs of a name and a filter file's
    hash), with the new hashes, sorted by name."""
    if not isinstance(meta, list):
        raise FormatError("the metadata is not a list")
    for part in meta:
        if (
            isinstance(part, list)
            and part
            and all(
                isinstance(item, list)
                and len(item) == 2
                and isinstance(item[1], str)
                and item[1] in renamed
                for item in part
            )
        ):
            for item in part:
                item[1] = renamed[item[1]]
            part.sort(key=lambda item: encode(item[0]))


def _name(old: str, data: bytes) -> str:
    """A file's new hash: its language (Pagefind's prefix) and its content's."""
    language = old.rsplit("_", 1)[0] + "_" if "_" in old else ""
    return language + hashlib.sha256(data).hexdigest()[:10]


def _unpack(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise FormatError("no pagefind_dcd signature")
    return raw[len(SIGNATURE) :]


def _pack(data: bytes) -> bytes:
    return gzip.compress(SIGNATURE + data, compresslevel=9, mtime=0)


# -- CBOR: the subset minicbor writes --------------------------------------------


def decode(data: bytes) -> Any:
    value, end = _decode(data, 0)
    if end != len(data):
        raise FormatError("trailing bytes after CBOR")
    return value


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    if at >= len(data):
        raise FormatError("CBOR ends early")
    head = data[at]
    major, info = head >> 5, head & 0x1F
    at += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], at
        raise FormatError(f"CBOR simple value {info} not supported")
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        if at + size > len(data):
            raise FormatError("CBOR ends early")
        arg = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise FormatError("indefinite CBOR lengths not supported")
    if major == 0:
        return arg, at
    if major == 1:
        return -1 - arg, at
    if major in (2, 3):
        chunk = data[at : at + arg]
        if len(chunk) != arg:
            raise FormatError("CBOR ends early")
        return (bytes(chunk) if major == 2 else chunk.decode("utf-8")), at + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = []
        for _ in range(arg):
            key, at = _decode(data, at)
            value, at = _decode(data, at)
            pairs.append((key, value))
        return _Map(pairs), at
    raise FormatError(f"CBOR major type {major} not supported")


class _Map(list[tuple[Any, Any]]):
    """A CBOR map, its pairs in the order they were written."""


def encode(value: Any) -> bytes:
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def _head(major: int, arg: int, out: bytearray) -> None:
    if arg < 24:
        out.append(major << 5 | arg)
        return
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            out.append(major << 5 | info)
            out += arg.to_bytes(size, "big")
            return
    raise FormatError("integer too large for CBOR")


def _encode(value: Any, out: bytearray) -> None:
    if value is False or value is True or value is None:
        out.append({False: 0xF4, True: 0xF5, None: 0xF6}[value])
    elif isinstance(value, int):
        _head(0, value, out) if value >= 0 else _head(1, -1 - value, out)
    elif isinstance(value, bytes):
        _head(2, len(value), out)
        out += value
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        _head(3, len(raw), out)
        out += raw
    elif isinstance(value, _Map):
        _head(5, len(value), out)
        for key, item in value:
            _encode(key, out)
            _encode(item, out)
    elif isinstance(value, list):
        _head(4, len(value), out)
        for item in value:
            _encode(item, out)
    else:
        raise FormatError(f"cannot write {type(value).__name__} as CBOR")
