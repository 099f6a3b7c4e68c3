"""Validation of the model on engagements it was not built for (CDB90)."""
