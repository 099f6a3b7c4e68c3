"""The bundled scenario files, installed as the package ``nomonhan_sim.scenarios``.

The ``*.toml`` files beside this one are data, read with importlib.resources by
:mod:`nomonhan_sim.scenario.bundled`. This file holds no code; it exists because the
editable install (setuptools' import finder) cannot import a package that lives outside
its parent's folder unless it has an ``__init__.py``.
"""
