"""Every public function and class documents its parameters (numpydoc) and shows a running example."""

import importlib
import inspect
import pkgutil

import pytest

import geokit


def _public():
    for info in pkgutil.iter_modules(geokit.__path__):
        if info.name.startswith("_") or info.name in ("datasets", "conftest"):
            continue
        module = importlib.import_module(f"geokit.{info.name}")
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__.startswith(module.__name__):  # packages: their modules' too
                yield f"{info.name}.{name}", obj


PUBLIC = dict(_public())


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_api_is_documented_with_parameters_and_an_example(name):
    obj = PUBLIC[name]
    doc = inspect.getdoc(obj) or ""
    if inspect.isfunction(obj) and [p for p in inspect.signature(obj).parameters if p != "self"]:
        assert "Parameters\n----------" in doc, f"{name} has no numpydoc Parameters section"
    assert "Examples\n--------" in doc and ">>> " in doc, f"{name} has no example"
    runnable = [line for line in doc.splitlines() if line.lstrip().startswith(">>> ") and "+SKIP" not in line]
    assert runnable or name in _SKIPPED_ON_PURPOSE, f"{name}'s example is all +SKIP"


#: Examples that need what a test session may not have (Chromium, a Jupyter kernel, a real build of the
#: Mali layers): shown, not run.
_SKIPPED_ON_PURPOSE = {"brief.print_pdf", "brief.require_chromium", "brief.find_chromium"}


def test_the_public_api_is_large_enough_to_matter():
    assert len(PUBLIC) > 100  # the modules' __all__ lists were read
