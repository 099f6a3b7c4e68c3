"""The fuzz corpus of invalid scenario and claim files (tests/test_fuzz_corpus.py).

Two hypothesis profiles, chosen with the environment variable ``NOMONHAN_FUZZ_PROFILE``:

* ``ci`` (the default): derandomized, so every run tries the same examples, and the
  seeded corpus of :data:`CORPUS_SIZE` = 600 files (``NOMONHAN_FUZZ_N`` overrides);
* ``local``: random examples, many more of them, and a corpus of 5,000 files unless
  ``NOMONHAN_FUZZ_N`` says otherwise::

      NOMONHAN_FUZZ_PROFILE=local python -m pytest -q tests/test_fuzz_corpus.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=40, derandomize=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("local", max_examples=1_000, derandomize=False, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])

#: The profile in force (``ci`` unless NOMONHAN_FUZZ_PROFILE names another).
PROFILE = os.environ.get("NOMONHAN_FUZZ_PROFILE", "ci")
#: Invalid files in the seeded corpus.
CORPUS_SIZE = int(os.environ.get("NOMONHAN_FUZZ_N") or (5_000 if PROFILE == "local" else 600))
#: The corpus's root seed (fixed: CI sees the same files on every run).
SEED = 19390820
