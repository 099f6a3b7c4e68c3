"""Reading a user's input file safely: regular files only, a size cap, a nesting cap.

Shared by the scenario loader and the claim files of the record, so that every input
file is refused with one line, before parsing, when it is not a regular file (a
directory, ``/dev/zero``, a FIFO that would block, a socket), when it is larger than
its cap (read at most cap + 1 bytes, so a file that grows while read is caught too),
and, once parsed, when its tables and arrays nest deeper than a cap.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: What a non-regular file is, by its stat mode test.
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def read_limited(path: str | os.PathLike, shown: str, max_bytes: int, error: type[Exception]) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them.

    Raises ``error`` with a one-line message ``<shown>: ...`` for a missing file, a file
    that is not a regular one (checked with ``os.stat`` before opening, so a FIFO never
    blocks), one larger than ``max_bytes``, or a read error.
    """
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise error(f"{shown}: file not found") from None
    except OSError as exc:
        raise error(f"{shown}: cannot read file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        kind = next((what for test, what in _KINDS if test(st.st_mode)), "not a regular file")
        raise error(f"{shown}: cannot read file (it is {kind}, not a regular file)")
    if st.st_size > max_bytes:
        raise error(f"{shown}: file too large: {st.st_size:,} bytes, expected at most {max_bytes:,}")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped for something else since the stat
                raise error(f"{shown}: cannot read file (not a regular file)")
            chunks, got = [], 0
            while got <= max_bytes:
                chunk = os.read(fd, max_bytes + 1 - got)
                if not chunk:
                    break
                chunks.append(chunk)
                got += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise error(f"{shown}: cannot read file ({exc.strerror or exc})") from None
    raw = b"".join(chunks)
    if len(raw) > max_bytes:
        raise error(f"{shown}: file too large: more than {max_bytes:,} bytes")
    return raw


def path_text(path: tuple) -> str:
    """A field's path as messages name it: ``("units", 3, "personnel")`` -> ``units[3].personnel``
    (the empty path: ``(top level)``)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top level)"


def too_deep(data: Any, max_depth: int) -> str | None:
    """The path (``units[0].personnel``) of the first table or array nested deeper than
    ``max_depth`` levels in ``data`` (parsed TOML or JSON), or None. Iterative, so it
    cannot itself overflow the stack."""
    stack: list[tuple[Any, tuple, int]] = [(data, (), 0)]
    while stack:
        node, where, depth = stack.pop()
        if isinstance(node, Mapping):
            items = [(k, v) for k, v in node.items()]
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            continue
        if depth >= max_depth:  # the first few keys name the field; the rest is the nesting
            return path_text(where[:4]) + ("..." if len(where) > 4 else "")
        stack.extend((v, where + (k,), depth + 1) for k, v in items
                     if isinstance(v, (Mapping, list)))
    return None


def deep_nesting_at(text: str, max_depth: int) -> str:
    """The field (``units[0].personnel.a...``, or ``line 12`` when no key names it) where
    brackets of TOML or JSON text first nest deeper than ``max_depth``: for the message
    when a parser gave up on the nesting (RecursionError). A plain scan, no recursion:
    strings and comments skipped, keys before ``=`` (or ``:``) and array positions kept
    on a stack, ``[table]`` and ``[[array]]`` headers giving the prefix."""
    stack: list[list] = []  # [bracket, name, entries so far]
    prefix, token, pending, tables = "", "", "", {}
    line, i, n, line_start = 1, 0, len(text), True
    while i < n:
        c = text[i]
        if c == "\n":
            line, line_start, i = line + 1, True, i + 1
            continue
        if c in " \t\r":
            i += 1
            continue
        if c == "[" and not stack and line_start:  # a table header
            j = text.find("\n", i)
            j = n if j < 0 else j
            head = text[i:j].split("#", 1)[0].strip()
            name = head.strip("[] ")
            if head.startswith("[["):
                tables[name] = tables.get(name, -1) + 1
                name = f"{name}[{tables[name]}]"
            prefix, i = name, j
            continue
        line_start = False
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if (c == '"' and text[j] == "\\") else 1
            token = text[i + len(quote):j]
            line += text.count("\n", i, j)
            i = j + len(quote)
        elif c in "=:":
            pending, i = token, i + 1
        elif c in "[{":
            name = f"[{stack[-1][2]}]" if stack and stack[-1][0] == "[" else pending
            stack.append([c, name, 0])
            pending = ""
            if len(stack) > max_depth:
                parts = [prefix] + [e[1] for e in stack]
                path = "".join(p if p.startswith("[") else "." + p for p in parts[:5] if p).lstrip(".")
                return (path + "...") if path else f"line {line}"
            i += 1
        elif c in "]}":
            if stack:
                stack.pop()
            i += 1
        elif c == ",":
            if stack and stack[-1][0] == "[":
                stack[-1][2] += 1
            i += 1
        else:
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_-."):
                j += 1
            token, i = text[i:j], j
    return f"line {line}"


def parse_text(raw: bytes, shown: str, max_depth: int, error: type[Exception], as_json: bool = False) -> Any:
    """``raw`` parsed as TOML (or JSON), or ``error`` with one line naming ``shown``: not
    UTF-8 (with the byte and its offset), invalid TOML/JSON, or nested deeper than
    ``max_depth`` for the parser (where, found by a plain scan)."""
    import json
    import tomllib

    try:
        text = raw.decode("utf-8")
        return json.loads(text) if as_json else tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise error(f"{shown}: expected UTF-8 text, found byte 0x{raw[exc.start]:02x} at offset "
                    f"{exc.start}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{shown}: invalid TOML: {' '.join(str(exc).split())}") from None
    except json.JSONDecodeError as exc:
        raise error(f"{shown}: invalid JSON: {exc}") from None
    except RecursionError:  # the parser gave up on the nesting: find where it is, by a plain scan
        where = deep_nesting_at(raw.decode("utf-8", errors="replace"), max_depth)
        raise error(f"{shown}: {where}: expected tables and arrays nested at most {max_depth} deep, "
                    "found deeper nesting") from None
