"""Generated valid scenarios for the property-based invariant tests (tests/test_invariants.py)."""
