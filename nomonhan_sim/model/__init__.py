"""The submodels: movement, combat and attrition (with Dupuy's QJM tables),
encirclement, orders, supply and truck convoys.

Each acts on the world state of :mod:`nomonhan_sim.engine` for all replicate worlds
at once; :mod:`nomonhan_sim.simulation` wires them into one SimPy environment.
"""
