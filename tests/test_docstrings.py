"""The examples in the docstrings run and print what they say."""

import doctest

import pytest

import nengo_lmu.datasets
import nengo_lmu.legendre
import nengo_lmu.networks.cell
import nengo_lmu.networks.memory
import nengo_lmu.simulator


@pytest.mark.parametrize(
    "module", [
        nengo_lmu.datasets,
        nengo_lmu.legendre,
        nengo_lmu.networks.cell,
        nengo_lmu.networks.memory,
        nengo_lmu.simulator,
    ]
)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
