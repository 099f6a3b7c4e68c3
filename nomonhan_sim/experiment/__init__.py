"""Monte Carlo experiments: chunks of batched worlds on an executor, per-replicate
outcomes, summary tables and the results folder on disk."""

from .outcomes import batch_outcomes, outcomes_frame
from .runner import DEFAULT_CHUNK, ExperimentResult, chunk_seed, plan_chunks, run_experiment
from .store import StoreError, read_results, write_results
from .summary import format_table, summarise
from ..vocabulary.defaults import DEFAULT_SEED

__all__ = ["DEFAULT_CHUNK", "DEFAULT_SEED", "ExperimentResult", "StoreError", "batch_outcomes", "chunk_seed",
           "format_table", "outcomes_frame", "plan_chunks", "read_results", "run_experiment",
           "summarise", "write_results"]
