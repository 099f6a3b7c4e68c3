"""The generated references are current, and what they are generated from is documented.

docs/scenario_format.md comes from the scenario schema (nomonhan_sim.scenario.reference),
docs/api.md from the package's docstrings (docs/generate_api.py).
"""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest

from nomonhan_sim.scenario import reference
from nomonhan_sim.scenario.quantity import Distribution
from conftest import ROOT

DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def apidoc():
    path = DOCS / "generate_api.py"
    spec = importlib.util.spec_from_file_location("generate_api", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_scenario_format_reference_is_current():
    committed = (DOCS / "scenario_format.md").read_text("utf-8")
    assert committed == reference.render(), (
        f"docs/scenario_format.md is out of date with the schema; regenerate it with: {reference.COMMAND}")


def test_every_field_of_the_scenario_format_has_a_description():
    models = [cls for cls, _ in reference.scenario_models()] + [Distribution]
    missing = [f"{cls.__module__}.{cls.__name__}.{name}"
               for cls in models for name, f in cls.model_fields.items() if not (f.description or "").strip()]
    assert not missing, ("fields without description= (give what it is and its unit): "
                         + ", ".join(missing))


def test_every_table_of_the_scenario_format_is_in_the_reference():
    text = reference.render()
    for cls, where in reference.scenario_models():
        assert f"### {cls.__name__}\n" in text
        for name, f in cls.model_fields.items():
            assert f"| `{f.alias or name}` |" in text, f"{cls.__name__}.{name}"
    assert "dupuy_attacker_rate" in text and "lognormal" in text


def test_every_public_function_and_class_of_the_package_has_a_docstring(apidoc):
    entries = list(apidoc.entries())
    assert len(entries) > 100  # the walk found the package
    missing = [f"{e.kind} {e.qualname}" for e in entries if not e.doc]
    assert not missing, f"{len(missing)} public names without a docstring:\n" + "\n".join(missing)


def test_api_reference_is_current(apidoc):
    committed = (DOCS / "api.md").read_text("utf-8")
    assert committed == apidoc.render(), (
        f"docs/api.md is out of date with the docstrings; regenerate it with: {apidoc.COMMAND}")


def test_the_python_examples_of_the_scenario_api_page_run():
    text = (DOCS / "scenario_api.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 4
    namespace: dict = {}
    for i, block in enumerate(blocks):  # one namespace: later blocks use earlier names, as in a notebook
        exec(compile(block, f"docs/scenario_api.md block {i + 1}", "exec"), namespace)
