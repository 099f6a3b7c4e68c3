"""Families of the fuzz corpus that break the file's structure: routes = [], isolated
places, too many items, oversized files, deep nesting, text that is not UTF-8.
"""

from __future__ import annotations

from .data import MAX_FILE_BYTES, Built, Path_, Skip, base_data, base_text, choice, data_mutant, dump_toml, put, show


def routes_empty(rng, base):
    data = base_data(base)
    if len(data["places"]) < 2:
        raise Skip
    if rng.random() < 0.7:
        data["routes"] = []
    else:
        data.pop("routes", None)
    return data_mutant(rng, base, data, "routes", "routes = [] (or none)")


def isolated_place(rng, base):
    data = base_data(base)
    data["places"].append({"id": "fuzz_island", "name": "An island", "x_km": 999.0, "y_km": 999.0,
                           "source": "estimate: fuzz"})
    kind = int(rng.integers(4))
    side = choice(rng, [s for s in data["sides"] if any(u["side"] == s for u in data["units"])])
    if kind == 0:
        srcs = data["sides"][side]["supply_sources"]
        j = int(rng.integers(len(srcs)))
        srcs[j] = "fuzz_island"
        path: Path_ = ("sides", side, "supply_sources", j)
    elif kind == 1:
        data["sides"][side]["rear"] = "fuzz_island"
        path = ("sides", side, "rear")
    elif kind == 2:
        i = int(rng.integers(len(data["units"])))
        data["units"][i]["start"] = "fuzz_island"
        path = ("units", i, "start")
    else:
        with_obj = [i for i, o in enumerate(data["orders"]) if o.get("objective") and not o.get("via")]
        i = choice(rng, with_obj)
        data["orders"][i]["objective"] = "fuzz_island"
        path = ("orders", i, "objective")
    return data_mutant(rng, base, data, show(path), f"isolated place at {show(path)}")


def too_many_items(rng, base):
    """More places, units, routes or orders (or entries of a via list) than the caps allow.
    The size caps are checked before anything else, so the items can be minimal tables."""
    data = base_data(base)
    kind = int(rng.integers(5))
    if kind == 0:
        n = int(rng.integers(1_001, 3_000))
        data["places"] += [{"id": f"p{k}"} for k in range(n)]
        field = "places"
    elif kind == 1:
        n = int(rng.integers(1_001, 2_000))
        data["units"] += [{"id": f"u{k}"} for k in range(n)]
        field = "units"
    elif kind == 2:
        n = int(rng.integers(5_001, 7_000))
        data["routes"] = [{"km": 1}] * n
        field = "routes"
    elif kind == 3:
        n = int(rng.integers(10_001, 12_000))
        data["orders"] = [{"task": "hold"}] * n
        field = "orders"
    else:
        n = int(rng.integers(10_001, 12_000))
        i = int(rng.integers(len(data["orders"])))
        data["orders"][i]["via"] = ["a"] * n
        field = f"orders[{i}].via"
    return data_mutant(rng, base, data, field, f"{n} entries in {field}", words=("at most",))


def oversized_file(rng, base):
    kind = int(rng.integers(3))
    if kind == 0:  # padding in a comment
        text = base_text(base) + "# " + "x" * (MAX_FILE_BYTES + int(rng.integers(1, 200_000))) + "\n"
    elif kind == 1:  # the 60,000-place file
        n = 60_000
        text = base_text(base) + "".join(
            f'\n[[places]]\nid = "fuzz_{k}"\nname = "P"\nx_km = {k}.0\ny_km = 0.0\nsource = "fuzz"\n'
            for k in range(n))
    else:  # one huge string
        text = base_text(base).replace('[scenario]\n', '[scenario]\nquestion_long = "'
                                       + "y" * (MAX_FILE_BYTES + 10) + '"\n', 1)
    return Built(text.encode("utf-8"), ".toml", None, ("file too large",), base, f"oversized (kind {kind})")


def deep_nesting(rng, base):
    data = base_data(base)
    depth = int(choice(rng, [33, 40, 100, 300, 600, 1_000, 3_000, int(rng.integers(33, 5_000))]))
    where = choice(rng, [("units", 0, "personnel"), ("engine", "duration_hours"), ("places", 0, "x_km"),
                          ("scenario", "name"), ("routes", 0, "km")])
    put(data, where, "__DEEP__")
    inner = ("{ a = " * depth + "1" + " }" * depth) if rng.random() < 0.5 else ("[" * depth + "1" + "]" * depth)
    text = dump_toml(data).replace('"__DEEP__"', inner, 1)
    return Built(text.encode("utf-8"), ".toml", show(where), ("nested",), base, f"{depth}-deep at {show(where)}")


def not_utf8(rng, base):
    text = base_text(base)
    kind = int(rng.integers(4))
    if kind == 0:  # one name in Latin-1
        raw = text.replace('name = "', 'name = "Blå ', 1).encode("latin-1", errors="replace")
    elif kind == 1:  # stray bytes
        b = text.encode("utf-8")
        at = int(rng.integers(len(b)))
        while 0x80 <= b[at] < 0xC0:  # not inside a multi-byte character
            at -= 1
        junk = [0xFF] + rng.integers(0x80, 0x100, int(rng.integers(0, 7))).tolist()  # 0xff is never UTF-8
        raw = b[:at] + bytes(junk) + b[at:]
    elif kind == 2:
        raw = text.encode("utf-16")
    else:  # a cut multi-byte sequence at the end
        raw = text.encode("utf-8") + "€".encode("utf-8")[:2]
    return Built(raw, ".toml", None, ("UTF-8",), base, f"not UTF-8 (kind {kind})")
