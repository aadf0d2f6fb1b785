"""``nengo-lmu bench loihi-deployment``, end to end on a tiny model."""

import io

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import training
from nengo_lmu.benchmarks import loihi_deployment
from tests.training.test_deployment import initial_params, toy_data

pytestmark = pytest.mark.loihi


@pytest.fixture(scope="module")
def tiny():
    spec = training.make_spec("classify", 8, 1, 3, units=12, order=4, seed=1,
                              hidden_to_hidden=False)
    x, y = toy_data(np.random.RandomState(3), n=6)
    return spec, initial_params(spec, seed=2), x, y


def test_decomposition_end_to_end(tiny):
    """Every row runs and reports; the host spikes per step follow each row's encoding."""
    spec, params, x, y = tiny
    out = io.StringIO()
    metrics, table = loihi_deployment.run_decomposition(spec, params, x, x, y, out=out)
    assert [row[0] for row in table] == [loihi_deployment.ROW_LABELS[name]
                                         for name in loihi_deployment.ROWS]
    rows = dict(zip(loihi_deployment.ROWS, table))
    inputs = spec["order"] + spec["size_in"] + 1  # memory, input, reset
    # nengo-loihi's on/off neurons: a spike per dimension and step; rectified: fewer
    assert float(rows["before"][4]) == pytest.approx(inputs, rel=0.05)
    assert float(rows["default"][4]) < 0.5 * inputs
    assert rows["nengo"][4] == "-"  # no chip, no host-to-chip spikes
    printed = out.getvalue()  # the references, then a line per row as it finishes
    assert "deployed_spiking_test_accuracy=" in printed
    assert [line.split()[0] for line in printed.splitlines() if line.startswith("row=")] == [
        f"row={name}" for name in loihi_deployment.ROWS]
    # the default row is the deployment's headline figures
    assert metrics["loihi_sim_test_accuracy"] == pytest.approx(float(rows["default"][1]),
                                                               abs=5e-5)
    assert metrics["loihi_sim_agreement_with_dl_spiking"] == pytest.approx(
        float(rows["default"][2]), abs=5e-5)
    assert metrics["loihi_sim_seconds_per_sequence"] > 0
    assert metrics["host_spike_cap"] == inputs
    assert metrics["chip_compartments"] == spec["units"]
    assert metrics["chip_cores"] == 1 and metrics["chip_fits_one_chip"]
    assert metrics["chip_in_axons_per_core_max"] == 2 * inputs  # an on/off pair each


def test_decomposition_rejects_an_unknown_row(tiny):
    spec, params, x, y = tiny
    with pytest.raises(ValidationError) as info:
        loihi_deployment.run_decomposition(spec, params, x, x, y, rows=["nengo", "gpu"])
    assert info.value.attr == "rows"


def test_decomposition_needs_a_windowed_model(tiny):
    """A model trained through a readout lowpass has no window to decompose."""
    spec, params, x, y = tiny
    with pytest.raises(ValidationError, match="lowpass") as info:
        loihi_deployment.run_decomposition(dict(spec, readout_synapse=0.005), params, x, x, y)
    assert info.value.attr == "readout_steps"
