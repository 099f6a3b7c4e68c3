"""The batched discrete-event engine: R replicate worlds in one SimPy environment."""
