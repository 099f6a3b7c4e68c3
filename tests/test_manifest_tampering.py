"""Results folders are data from elsewhere: every tampering with one is refused by
``compare``/``report``/``ExperimentResult.load`` with one line naming the folder or file
and the field, exit 2, no traceback, and nothing of a file outside the folder echoed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nomonhan_sim.cli import main
from nomonhan_sim.experiment import ExperimentResult, StoreError, read_results
from nomonhan_sim.experiment.manifest import file_sha256
from conftest import FIXTURES

POCKET = FIXTURES / "pocket.toml"
SECRET = "TOPSECRET-7f3a-CONTENT"


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A complete results folder (20 pocket worlds, seed 3, two chunks of 10)."""
    out = tmp_path_factory.mktemp("good") / "res"
    assert main(["run", str(POCKET), "-n", "20", "--seed", "3", "--chunk-size", "10", "--workers", "1",
                 "--no-progress", "-q", "--out", str(out)]) == 0
    return out


@pytest.fixture
def folder(good, tmp_path) -> Path:
    """A fresh copy of the good folder, with a secret file beside it (outside the folder)."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text(SECRET + "\n")
    dst = tmp_path / "res"
    shutil.copytree(good, dst)
    return dst


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _set(folder: Path, **changes) -> None:
    m = _manifest(folder)
    for k, v in changes.items():
        if v is _DROP:
            m.pop(k, None)
        else:
            m[k] = v
    (folder / "manifest.json").write_text(json.dumps(m))


_DROP = object()


def _rehash(folder: Path) -> None:
    """Make the manifest's outcomes hash agree with the (tampered) outcomes file."""
    _set(folder, outcomes_sha256=file_sha256(folder / _manifest(folder)["outcomes_file"]))


def _refused(folder: Path, capsys, *needles: str) -> str:
    """compare and report exit 2 with one line holding every needle; load raises StoreError."""
    capsys.readouterr()
    for argv in (["compare", str(folder)],
                 ["report", str(folder), "--out", str(folder.parent / "r.html"), "--no-resimulate", "-q"]):
        assert main(argv) == 2, argv
        out, err = capsys.readouterr()
        line = err.strip()
        assert "\n" not in line and "Traceback" not in err, err
        assert str(folder) in line, line
        for needle in needles:
            assert needle in line, (needle, line)
        assert SECRET not in out + err
        assert not (folder.parent / "r.html").exists()
    with pytest.raises(StoreError):
        ExperimentResult.load(folder)
    return line


def test_the_untouched_folder_loads(good, capsys):
    df, manifest = read_results(good)
    assert len(df) == 20 and manifest["seed"] == 3
    assert main(["compare", str(good)]) == 0
    assert "20 replicates, seed 3" in capsys.readouterr().out


# -- file names that leave the folder -------------------------------------------------------

@pytest.mark.parametrize("name", ["../outside/secret.txt", "../../../../etc/hostname", "/etc/hostname",
                                  "sub/outcomes.parquet", "..", "", "other.parquet", "outcomes.parquet\x00x"])
def test_outcomes_file_must_be_a_plain_name_of_an_outcomes_file(folder, capsys, name):
    _set(folder, outcomes_file=name)
    line = _refused(folder, capsys, "manifest.json", "field 'outcomes_file'")
    assert "hostname" not in line or "etc" not in line.split("field")[0]


def test_outcomes_file_of_the_wrong_type(folder, capsys):
    _set(folder, outcomes_file=["outcomes.parquet"])
    _refused(folder, capsys, "field 'outcomes_file'")


def test_outcomes_file_that_is_a_link_out_of_the_folder(folder, capsys):
    secret = folder.parent / "outside" / "secret.txt"
    (folder / "outcomes.parquet").unlink()
    os.symlink(secret, folder / "outcomes.parquet")
    _set(folder, outcomes_sha256=file_sha256(secret))  # even with a matching hash
    _refused(folder, capsys, "outcomes.parquet", "link out of the results folder")


def test_manifest_that_is_a_link_out_of_the_folder(folder, capsys):
    outside = folder.parent / "outside" / "manifest.json"
    outside.write_text(json.dumps({**_manifest(folder), "scenario": SECRET}))
    (folder / "manifest.json").unlink()
    os.symlink(outside, folder / "manifest.json")
    _refused(folder, capsys, "manifest.json", "link out of the results folder")


@pytest.mark.parametrize("name", ["../outside/secret.txt", "/etc/passwd", "scenario.yaml"])
def test_scenario_file_must_be_a_plain_name_of_a_scenario_copy(folder, capsys, name):
    _set(folder, scenario_file=name)
    _refused(folder, capsys, "field 'scenario_file'")


def test_scenario_copy_that_is_a_link_out_of_the_folder(folder, capsys):
    (folder / "scenario.toml").unlink()
    os.symlink(POCKET.resolve(), folder / "scenario.toml")  # even the right scenario
    _refused(folder, capsys, "scenario.toml", "link out of the results folder")


def test_scenario_path_is_never_opened(folder, capsys):
    """An old-style ``scenario_path`` (and ``scenario_origin``) are information only."""
    _set(folder, scenario_path=str(folder.parent / "outside" / "secret.txt"),
         scenario_origin="/etc/passwd")
    assert main(["compare", str(folder)]) == 0
    _set(folder, scenario_file=_DROP)
    _refused(folder, capsys, "field 'scenario_file' missing")


# -- the manifest's form and types ------------------------------------------------------------

@pytest.mark.parametrize("text,needle", [
    ("[1, 2]", "expected a JSON object, found a JSON list"),
    ('"a string"', "expected a JSON object"),
    ("{not json", "invalid JSON"),
    ("", "invalid JSON"),
    ("[" * 100_000, "invalid JSON"),
])
def test_manifest_that_is_not_a_json_object(folder, capsys, text, needle):
    (folder / "manifest.json").write_text(text)
    _refused(folder, capsys, "manifest.json", needle)


def test_manifest_that_is_not_utf8(folder, capsys):
    (folder / "manifest.json").write_bytes(b"\xff\xfe{\x00")
    _refused(folder, capsys, "manifest.json", "not UTF-8")


def test_manifest_that_is_too_large(folder, capsys):
    (folder / "manifest.json").write_text(json.dumps({**_manifest(folder), "pad": "x" * 1_100_000}))
    _refused(folder, capsys, "manifest.json", "too large")


def test_manifest_that_is_a_fifo_does_not_block(folder, capsys):
    (folder / "manifest.json").unlink()
    os.mkfifo(folder / "manifest.json")
    _refused(folder, capsys, "manifest.json", "not a regular file")


@pytest.mark.parametrize("field,value,needle", [
    ("chunk_size", 0, "greater than or equal to 1"),
    ("chunk_size", -5, "greater than or equal to 1"),
    ("chunk_size", 2.5, "integer"),
    ("replicates", 0, "greater than or equal to 1"),
    ("seed", -1, "greater than or equal to 0"),
    ("seed", 2**64, "less than or equal to"),
    ("seed", "3", "integer"),
    ("seed", True, "integer"),
    ("seed", None, "integer"),
    ("stochastic", "yes", "boolean"),
    ("scenario_sha256", "abc", "pattern"),
    ("outcomes_sha256", "0" * 63, "pattern"),
    ("package", "other_sim", "nomonhan_sim"),
])
def test_manifest_fields_of_the_wrong_type_or_range(folder, capsys, field, value, needle):
    _set(folder, **{field: value})
    line = _refused(folder, capsys, "manifest.json", f"field '{field}'", needle)
    if isinstance(value, str) and len(value) > 2:
        assert value not in line.split("manifest.json")[1]  # the value is not quoted back


@pytest.mark.parametrize("field", ["seed", "replicates", "chunk_size", "scenario_sha256", "outcomes_file"])
def test_missing_manifest_field(folder, capsys, field):
    _set(folder, **{field: _DROP})
    _refused(folder, capsys, "manifest.json", f"field '{field}' missing")


def test_folder_written_before_the_outcomes_hash_is_refused(folder, capsys):
    _set(folder, outcomes_sha256=_DROP)
    _refused(folder, capsys, "predates", "outcomes_sha256", "re-run")


# -- the outcomes file ------------------------------------------------------------------------

def test_outcomes_changed_after_the_run(folder, capsys):
    data = bytearray((folder / "outcomes.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "outcomes.parquet").write_bytes(bytes(data))
    _refused(folder, capsys, "outcomes.parquet", "outcomes_sha256")


def test_new_outcomes_beside_an_old_manifest(folder, tmp_path, capsys):
    """What a kill between moving the outcomes in and writing the manifest would leave."""
    other = tmp_path / "other"
    assert main(["run", str(POCKET), "-n", "20", "--seed", "4", "--chunk-size", "10", "--workers", "1",
                 "--no-progress", "-q", "--out", str(other)]) == 0
    shutil.copyfile(other / "outcomes.parquet", folder / "outcomes.parquet")
    _refused(folder, capsys, "outcomes.parquet", "outcomes_sha256")


def test_garbage_parquet(folder, capsys):
    (folder / "outcomes.parquet").write_bytes(b"PAR1" + b"\x00garbage" * 100 + b"PAR1")
    _refused(folder, capsys, "outcomes.parquet", "outcomes_sha256")
    _rehash(folder)  # and with a hash that matches the garbage
    _refused(folder, capsys, "outcomes.parquet", "not a readable Parquet table")


def test_zero_row_table(folder, capsys):
    table = pq.read_table(folder / "outcomes.parquet")
    pq.write_table(table.slice(0, 0), folder / "outcomes.parquet")
    _rehash(folder)
    _refused(folder, capsys, "outcomes.parquet", "0 rows", "field 'replicates'")


def test_rows_that_disagree_with_the_manifest(folder, capsys):
    _set(folder, seed=4)  # compare would report the wrong seed
    _refused(folder, capsys, "column 'seed'", "field 'seed'")
    _set(folder, seed=3, chunk_size=5)
    _refused(folder, capsys, "column 'chunk'", "field 'chunk_size'")
    _set(folder, chunk_size=10, replicates=19)
    _refused(folder, capsys, "20 rows", "field 'replicates'")


def test_table_without_the_identifier_columns(folder, capsys):
    table = pq.read_table(folder / "outcomes.parquet")
    pq.write_table(table.drop(["chunk"]), folder / "outcomes.parquet")
    _rehash(folder)
    _refused(folder, capsys, "column 'chunk' missing")


def test_csv_outcomes_that_are_not_a_table(folder, capsys):
    (folder / "outcomes.parquet").unlink()
    (folder / "outcomes.csv").write_bytes(b"\x00\xff\xfe garbage \"unterminated")
    _set(folder, outcomes_file="outcomes.csv")
    _rehash(folder)
    _refused(folder, capsys, "outcomes.csv")


def test_missing_outcomes_file(folder, capsys):
    (folder / "outcomes.parquet").unlink()
    _refused(folder, capsys, "outcomes.parquet", "missing")


def test_missing_scenario_copy(folder, capsys):
    (folder / "scenario.toml").unlink()
    _refused(folder, capsys, "scenario.toml", "missing")


def test_outcomes_but_no_manifest_reads_as_incomplete(folder, capsys):
    (folder / "manifest.json").unlink()
    _refused(folder, capsys, "incomplete results folder")


def test_a_folder_that_does_not_exist(tmp_path, capsys):
    assert main(["compare", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "no such results folder" in err


def test_parquet_metadata_is_not_trusted_over_manifest_json(folder, capsys):
    """The manifest in the Parquet metadata is information; manifest.json decides."""
    table = pq.read_table(folder / "outcomes.parquet")
    meta = dict(table.schema.metadata)
    meta[b"nomonhan_sim.manifest"] = json.dumps({"seed": 99, "outcomes_file": "../outside/secret.txt"}).encode()
    pq.write_table(table.replace_schema_metadata(meta), folder / "outcomes.parquet")
    _rehash(folder)
    df, manifest = read_results(folder)
    assert manifest["seed"] == 3 and (df["seed"] == 3).all()
    assert pa.__version__  # pyarrow available
