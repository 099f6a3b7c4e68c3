"""The historical record: claims with provenance, source criticism, comparison with outcomes."""

from .claims import Claim, Record, RecordError, load_record

__all__ = ["Claim", "Record", "RecordError", "load_record"]
