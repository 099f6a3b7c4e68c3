"""A deterministic, seeded mutator of valid scenario files into invalid ones.

Each :class:`Mutant` of the corpus belongs to one family of mistakes (:data:`FAMILIES`:
the value families of tests/fuzz/values.py, the structure families of
tests/fuzz/structure.py) and has its own seed, derived from the corpus seed and its
index with ``numpy.random.SeedSequence``, so the corpus is the same on every run and any
mutant can be rebuilt alone. Building a mutant (:meth:`Mutant.build`) picks a base (a
fixture, or one time in seven a bundled scenario) and what to break with a seeded
``numpy`` Generator, and returns the file's bytes with the field its error line must
name (``None`` for mistakes of the file as a whole: too large, not UTF-8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import structure, values
from .data import BUNDLED_SHARE, MAX_FILE_BYTES, Built, Skip, base_names, base_path  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class Mutant:
    """One invalid file of the corpus: its family, index and seed."""

    family: str
    index: int
    seed: int

    @property
    def name(self) -> str:
        return f"{self.index:05d}_{self.family}"

    def build(self) -> Built:
        """The file (deterministic: the same bytes for the same seed)."""
        rng = np.random.default_rng(self.seed)
        gen = FAMILIES[self.family]
        fixtures = [b for b in base_names() if b.startswith("fixtures/")]
        bundled = [b for b in base_names() if b.startswith("scenarios/")]
        first = bundled if (bundled and rng.random() < BUNDLED_SHARE) else fixtures
        order = list(rng.permutation(first)) + list(rng.permutation(fixtures + bundled))
        for base in order:
            try:
                return gen(rng, str(base))
            except Skip:
                continue
        raise RuntimeError(f"family {self.family}: no base fits")


def corpus(n: int, seed: int) -> list[Mutant]:
    """``n`` mutants, the families in turn (each gets n // len(FAMILIES) or one more)."""
    names = list(FAMILIES)
    seeds = np.random.SeedSequence(seed).spawn(n)
    return [Mutant(names[i % len(names)], i, int(s.generate_state(1)[0])) for i, s in enumerate(seeds)]


#: Every family of mistakes, by name -> its generator ``(rng, base) -> Built``.
FAMILIES: dict[str, Callable[[np.random.Generator, str], Built]] = {
    "nonfinite": values.nonfinite,
    "huge_number": values.huge_number,
    "negative_count": values.negative_count,
    "bool_as_number": values.bool_as_number,
    "number_as_text": values.number_as_text,
    "string_as_bool": values.string_as_bool,
    "bad_distribution": values.bad_distribution,
    "bad_date": values.bad_date,
    "time_zone": values.time_zone,
    "bad_id": values.bad_id,
    "share_out_of_range": values.share_out_of_range,
    "nonpositive_speed_or_distance": values.nonpositive_speed,
    "huge_duration_or_tiny_step": values.huge_duration_tiny_step,
    "routes_empty": structure.routes_empty,
    "isolated_place": structure.isolated_place,
    "too_many_items": structure.too_many_items,
    "oversized_file": structure.oversized_file,
    "deep_nesting": structure.deep_nesting,
    "not_utf8": structure.not_utf8,
    "whole_number": values.whole_number,
    "bad_parameter": values.bad_parameter,
}
