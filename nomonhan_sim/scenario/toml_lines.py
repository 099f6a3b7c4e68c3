"""Where a key of a TOML file is written: its line number, for error messages.

``tomllib`` gives values, not positions. :func:`key_lines` scans the text once (strings,
comments and multi-line arrays skipped) and maps the path of every table header
(``[logistics]``, ``[[units]]`` as ``("units", 3)``, ``[units.equipment]`` under the
last ``[[units]]``) and every ``key = value`` line (dotted keys included) to its line
(1-based). :func:`line_of` finds the line of the deepest part of a path that is written
on a line of its own: a field inside an inline table or an array reports the line of
the key that holds it. Purely a reader of text: nothing in the file is evaluated.
"""

from __future__ import annotations

import re

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _key_parts(text: str) -> tuple[list[str], int] | None:
    """The parts of the (dotted, maybe quoted) key at the start of ``text`` and where it
    ends; None if ``text`` does not start with a key."""
    parts: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] in "\"'":
            q = text[i]
            j = i + 1
            while j < n and text[j] != q:
                j += 2 if (q == '"' and text[j] == "\\") else 1
            if j >= n:
                return None
            parts.append(text[i + 1:j])
            i = j + 1
        else:
            m = _BARE.match(text, i)
            if not m:
                return None
            parts.append(m.group())
            i = m.end()
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == ".":
            i += 1
            continue
        return parts, i


def _scan_value(line: str, start: int, depth: int, quote: str | None) -> tuple[int, str | None]:
    """Bracket depth and open multi-line string after reading ``line`` from ``start``."""
    i, n = start, len(line)
    while i < n:
        if quote is not None:  # inside a multi-line string
            j = line.find(quote, i)
            if j < 0:
                return depth, quote
            i, quote = j + 3, None
            continue
        c = line[i]
        if c == "#":
            break
        if line.startswith(('"""', "'''"), i):
            quote, i = line[i:i + 3], i + 3
        elif c in "\"'":
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if (c == '"' and line[j] == "\\") else 1
            i = j + 1
        else:
            depth += c in "[{"
            depth -= c in "]}"
            i += 1
    return max(depth, 0), quote


def key_lines(text: str) -> dict[tuple, int]:
    """Path (keys as text, array-of-tables items as their index) -> line of the TOML
    ``text`` where it is written (the first such line for a path written twice)."""
    lines: dict[tuple, int] = {}
    arrays: dict[tuple, int] = {}  # [[x]] path -> index of its last item
    table: tuple = ()
    depth, quote = 0, None

    def resolve(parts: list[str]) -> tuple:
        out: tuple = ()
        for p in parts:
            out += (p,)
            if out in arrays:
                out += (arrays[out],)
        return out

    for number, line in enumerate(text.splitlines(), start=1):
        if depth or quote is not None:  # the rest of a multi-line value
            depth, quote = _scan_value(line, 0, depth, quote)
            continue
        stripped = line.lstrip()
        if stripped.startswith("["):
            double = stripped.startswith("[[")
            got = _key_parts(stripped[2 if double else 1:])
            if got is None:
                continue
            parts, _ = got
            if double:
                head = resolve(parts[:-1]) + (parts[-1],)
                lines.setdefault(head, number)
                arrays[head] = arrays.get(head, -1) + 1
                table = head + (arrays[head],)
            else:
                table = resolve(parts)
            for k in range(1, len(table) + 1):
                lines.setdefault(table[:k], number)
            continue
        got = _key_parts(stripped)
        if got is None or not stripped[got[1]:].startswith("="):
            continue
        parts, end = got
        for k in range(1, len(parts) + 1):
            lines.setdefault(table + tuple(parts[:k]), number)
        depth, quote = _scan_value(stripped, end + 1, 0, None)
    return lines


def line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    """The line of the deepest prefix of ``path`` found in ``lines`` (from :func:`key_lines`)."""
    for k in range(len(path), 0, -1):
        got = lines.get(tuple(path[:k]))
        if got is not None:
            return got
    return None
