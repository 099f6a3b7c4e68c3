"""The kernel of the batched discrete-event engine.

Compiled scenario arrays (names -> indices), the world state of R replicate worlds
(arrays with the replicate first), the per-world clock that lets SimPy processes act on
masks of worlds, the event log and the graph algorithms. The submodels
(:mod:`nomonhan_sim.model`) use this kernel; :mod:`nomonhan_sim.simulation` wires them
into one SimPy environment.
"""
