"""Every invalid file of the fuzz corpus is refused by `validate` and by `run`, cleanly.

The corpus (tests/fuzz/mutations.py) is a deterministic, seeded set of mutations of the
bundled scenarios and the test fixtures, in families (nan and inf, huge numbers,
negative counts, true/false for a number, text for true/false, bad distributions,
dates and time zones, ids, shares, speeds, durations and steps, routes = [], isolated
places, too many items, oversized files, deep nesting, non-UTF-8, ...). For each file,
`validate FILE` and `run FILE --replicates 2 --out DIR` (called in-process, through
the CLI's `main`) must exit 2 with exactly one line on stderr that names the file and
the broken field, no traceback, and no DIR afterwards. A few go through a real
subprocess too (no hang: 20 s timeout), and so do the special files (/dev/zero, a FIFO,
a directory). Claim files of the record get the same treatment through `load_record`.

Corpus size and hypothesis profile: tests/fuzz/__init__.py (NOMONHAN_FUZZ_PROFILE,
NOMONHAN_FUZZ_N).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzz import CORPUS_SIZE, PROFILE, SEED
from fuzz.mutations import FAMILIES, MAX_FILE_BYTES, Built, Mutant, base_names, base_path, corpus
from nomonhan_sim.cli import main
from nomonhan_sim.record import RecordError, load_record
from nomonhan_sim.record.claims import DATA_DIR
from nomonhan_sim.scenario import ScenarioError, load_scenario
from nomonhan_sim.scenario import limits

settings.load_profile(PROFILE)
ROOT = Path(__file__).resolve().parents[1]
CORPUS = corpus(CORPUS_SIZE, SEED)
BY_FAMILY: dict[str, list[Mutant]] = defaultdict(list)
for _m in CORPUS:
    BY_FAMILY[_m.family].append(_m)


def cli(*argv: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of the CLI run in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(list(argv))
        except SystemExit as exc:  # argparse
            status = exc.code if isinstance(exc.code, int) else 1
    return status, out.getvalue(), err.getvalue()


def problems(path: Path, built: Built, status: int, out: str, err: str, command: str) -> list[str]:
    """What is wrong with the CLI's answer to an invalid file (empty: nothing)."""
    line = err.strip()
    found = []
    if status != 2:
        found.append(f"exit {status}, expected 2")
    if "Traceback" in err:
        found.append("a traceback")
    if not line or "\n" in line:
        found.append(f"{len(err.strip().splitlines())} lines on stderr, expected 1")
    if str(path) not in line:
        found.append("the file is not named")
    if built.field is not None and built.field not in line:
        found.append(f"the field {built.field!r} is not named")
    for w in built.words:
        if w not in line:
            found.append(f"{w!r} not in the line")
    return [f"{command} {path.name} ({built.note}; base {built.base}): {', '.join(found)}: {line[:300]!r}"
            ] if found else []


def check_mutant(m: Mutant, tmp: Path) -> list[str]:
    built = m.build()
    path = tmp / f"{m.name}{built.suffix}"
    path.write_bytes(built.content)
    out_dir = tmp / f"{m.name}_out"
    try:
        status, out, err = cli("validate", str(path))
        bad = problems(path, built, status, out, err, "validate")
        if status == 0:  # accepted: running it would really simulate
            return bad
        status, out, err = cli("run", str(path), "--replicates", "2", "--out", str(out_dir))
        bad += problems(path, built, status, out, err, "run")
        if out_dir.exists():
            bad.append(f"run {path.name}: --out {out_dir.name} was created")
        return bad
    finally:
        path.unlink(missing_ok=True)


def test_the_corpus_is_large_deterministic_and_covers_every_family():
    assert len(CORPUS) >= 500
    assert set(BY_FAMILY) == set(FAMILIES)
    assert min(len(v) for v in BY_FAMILY.values()) >= len(CORPUS) // len(FAMILIES)
    again = corpus(CORPUS_SIZE, SEED)
    for m in (CORPUS[0], CORPUS[len(CORPUS) // 2], CORPUS[-1]):
        assert again[m.index].build().content == m.build().content
    assert limits.MAX_FILE_BYTES == MAX_FILE_BYTES  # the oversized family knows the cap


@pytest.mark.parametrize("family", list(FAMILIES))
def test_every_mutant_is_refused_with_one_line_by_validate_and_run(family: str, tmp_path: Path):
    failures = []
    for m in BY_FAMILY[family]:
        failures += check_mutant(m, tmp_path)
    assert not failures, f"{len(failures)} of {2 * len(BY_FAMILY[family])} answers wrong:\n" + "\n".join(failures[:15])


@settings(max_examples=settings.default.max_examples)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from(sorted(FAMILIES)))
def test_generated_mutants_are_refused_by_the_loader(seed: int, family: str):
    built = Mutant(family, 0, seed).build()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"nomonhan_fuzz_{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    path = tmp / f"hyp{built.suffix}"
    path.write_bytes(built.content)
    try:
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
    finally:
        path.unlink(missing_ok=True)
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith(f"{path}: "), msg
    assert built.field is None or built.field in msg, (built.note, msg)


# --- no false rejects ---------------------------------------------------------------

@pytest.mark.parametrize("name", base_names())
def test_every_base_is_valid(name: str):
    status, out, err = cli("validate", str(base_path(name)))
    assert status == 0 and out.startswith("OK") and not err, err


def test_the_corpus_writer_round_trips_every_base(tmp_path: Path):
    from fuzz.data import base_data, dump_json, dump_toml

    for name in base_names():
        for text, suffix in ((dump_toml(base_data(name)), ".toml"), (dump_json(base_data(name)), ".json")):
            p = tmp_path / f"copy{suffix}"
            p.write_text(text, encoding="utf-8")
            assert load_scenario(p).model == load_scenario(base_path(name)).model


def test_claim_files_of_the_package_still_load():
    assert len(load_record().claims) > 100


def test_every_cdb90_battle_still_builds():
    from nomonhan_sim.engagement import engagement_scenario
    from nomonhan_sim.record import cdb90
    from nomonhan_sim.validation.cdb90_suite import engagement_from_cdb90, nationality_parameters

    df = cdb90.usable(cdb90.load_engagements())
    for isqno, row in df.iterrows():
        engagement_scenario(engagement_from_cdb90(isqno, row, nationality_parameters(row)))


# --- special files and real subprocesses ----------------------------------------------

@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    p = tmp_path / "pipe.toml"
    os.mkfifo(p)
    return p


def _specials(tmp_path: Path, fifo: Path) -> list[tuple[Path, str]]:
    cases = [(fifo, "FIFO"), (tmp_path, "directory")]
    return cases + ([(Path("/dev/zero"), "character device")] if Path("/dev/zero").exists() else [])


def test_special_files_are_refused_by_run_without_reading(tmp_path: Path, fifo: Path):
    for path, what in _specials(tmp_path, fifo):
        if path == fifo:
            continue  # in-process, a regression would block the suite: the subprocess test has it
        for argv in (("validate", str(path)), ("run", str(path), "--replicates", "2", "--out", str(tmp_path / "o"))):
            status, _, err = cli(*argv)
            line = err.strip()
            assert status == 2 and "\n" not in line and str(path) in line, err
            assert what in line and "not a regular file" in line, line
            assert not (tmp_path / "o").exists()


def test_about_ten_files_in_real_subprocesses(tmp_path: Path, fifo: Path):
    """One mutant of every third family and the special files (/dev/zero, a FIFO, a folder),
    through `python -m nomonhan_sim validate`, all at once: each answers within 20 s (no
    hang, even on the FIFO), exits 2 with one line and no traceback."""
    jobs = []
    for m in [BY_FAMILY[f][0] for f in FAMILIES][::3]:
        built = m.build()
        path = tmp_path / f"{m.name}{built.suffix}"
        path.write_bytes(built.content)
        jobs.append((path, built))
    for path, what in _specials(tmp_path, fifo):
        jobs.append((path, Built(b"", "", None, (what, "not a regular file"), "-", f"special file: {what}")))
    procs = [(path, built, subprocess.Popen([sys.executable, "-m", "nomonhan_sim", "validate", str(path)],
                                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
             for path, built in jobs]
    failures = []
    for path, built, proc in procs:
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            failures.append(f"{path.name} ({built.note}): no answer within 20 s")
            continue
        failures += problems(path, built, proc.returncode, out, err, "validate (subprocess)")
    assert len(procs) >= 10
    assert not failures, "\n".join(failures)


# --- claim files ---------------------------------------------------------------------

def _claim_texts() -> list[tuple[str, str | None, str]]:
    """(claim file text, field the error names, what was done) for the claim mutations."""
    src = (Path(str(DATA_DIR)) / "seeds.toml").read_text("utf-8")
    data = tomllib.loads(src)
    rng = np.random.default_rng(SEED)
    from fuzz.data import dump_toml

    figures = [i for i, c in enumerate(data["claims"]) if c["kind"] == "figure"]
    dates = [i for i, c in enumerate(data["claims"]) if c["kind"] == "date"]
    out = []
    bad_numbers = [math.nan, math.inf, -math.inf, True, False, "1200", [1.0]]
    for k in range(40):
        d = tomllib.loads(src)
        i = int(rng.choice(figures))
        c = d["claims"][i]
        kind = k % 4
        if kind == 0:
            key = "value" if "value" in c else "low"
            c[key] = bad_numbers[int(rng.integers(len(bad_numbers)))]
            field = f"claims[{i}].{key}"
        elif kind == 1:
            c.pop("value", None)
            c["low"], c["high"] = 500.0, 100.0
            field = f"claims[{i}]"
        elif kind == 2:
            c["value"], c["low"], c["high"] = 1000.0, 1.0, 10.0
            field = f"claims[{i}]"
        else:
            if not dates:
                continue
            i = int(rng.choice(dates))
            d["claims"][i]["date"] = int(rng.choice([19390820, 0, 1]))
            field = f"claims[{i}].date"
        out.append((dump_toml(d), field, f"claim mutation {kind} at claims[{i}]"))
    deep = "x = " + "[" * 2000 + "]" * 2000 + "\n"
    out += [(src + deep, "x", "2000-deep nesting"), (src + "# " + "y" * (9 << 20), None, "oversized")]
    return out


def test_bad_claim_files_give_one_line_naming_the_file_and_field(tmp_path: Path):
    failures = []
    for n, (text, field, note) in enumerate(_claim_texts()):
        folder = tmp_path / f"c{n}"
        folder.mkdir()
        path = folder / "bad.toml"
        path.write_text(text, encoding="utf-8")
        try:
            load_record(folder)
            failures.append(f"{note}: accepted")
            continue
        except RecordError as exc:
            msg = str(exc)
        if "\n" in msg or not msg.startswith(f"{path}: ") or (field is not None and field not in msg):
            failures.append(f"{note}: {msg[:300]!r}")
    non_utf8 = tmp_path / "latin"
    non_utf8.mkdir()
    (non_utf8 / "bad.toml").write_bytes((DATA_DIR / "seeds.toml").read_text("utf-8").encode("utf-16"))
    with pytest.raises(RecordError, match="UTF-8"):
        load_record(non_utf8)
    assert not failures, "\n".join(failures)
