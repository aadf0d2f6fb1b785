"""The documentation's code runs, and every public name is documented."""

import inspect
import pathlib
import re

import matplotlib
import pytest

import nengo_lmu
import nengo_lmu.networks

ROOT = pathlib.Path(__file__).parents[1]
CODE_BLOCK = re.compile(r"^\.\. code-block:: python\n\n((?:(?:   .*)?\n)+)", re.MULTILINE)


def python_blocks(path):
    """The ``.. code-block:: python`` blocks of an rst file, dedented, in order."""
    blocks = CODE_BLOCK.findall(path.read_text())
    return ["\n".join(line[3:] for line in block.splitlines()) for block in blocks]


@pytest.mark.parametrize("page, n_blocks", [
    ("README.rst", 1), pytest.param("docs/getting_started.rst", 4, marks=pytest.mark.dl)
])
def test_code_in_page_runs(page, n_blocks, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.delenv("NENGO_LMU_BACKEND", raising=False)
    blocks = python_blocks(ROOT / page)
    assert len(blocks) == n_blocks  # the pattern found them all
    # the blocks of a page build on each other, like a session
    namespace = {}
    for block in blocks:
        exec(compile(block, f"{page} block", "exec"), namespace)  # noqa: S102


def public_names():
    for module in (nengo_lmu, nengo_lmu.networks):
        for name in dir(module):
            obj = getattr(module, name)
            if not name.startswith("_") and (inspect.isclass(obj) or inspect.isfunction(obj)):
                yield f"{module.__name__}.{name}", obj


@pytest.mark.parametrize("name, obj", list(public_names()))
def test_public_name_is_documented(name, obj):
    assert inspect.getdoc(obj), f"{name} has no docstring"
    api = (ROOT / "docs" / "api.rst").read_text()
    # documented under this name or the module it lives in
    candidates = {name, f"{obj.__module__}.{obj.__name__}", obj.__module__}
    assert any(
        re.search(rf"\.\. auto(?:class|function|module):: {re.escape(c)}\s", api)
        for c in candidates
    ), f"{name} is not in docs/api.rst"
