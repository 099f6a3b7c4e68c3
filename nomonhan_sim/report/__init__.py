"""Reports of saved results: the self-contained HTML report and one world narrated."""

from .builder import collect, render, write_report
from .narrate import narrate

__all__ = ["collect", "narrate", "render", "write_report"]
