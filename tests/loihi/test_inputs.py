"""How host values reach the chip: nengo-loihi's input neurons and the rectified ones."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

import nengo_lmu
from nengo_lmu.loihi import loihi_model
from nengo_lmu.training.sequences import _count_host_spikes, _spikes_per_step

pytestmark = pytest.mark.loihi


def run_constant_input(encoding, values, steps=1000):
    """Spike counts of chip neurons driven by a host Node, and host spikes per step."""
    gains = np.array([200.0, -200.0, 200.0])  # rates: 200 |v| Hz where the sign fits
    with nengo.Network(seed=0) as net:
        node = nengo.Node(values)
        ens = nengo.Ensemble(3, 1, neuron_type=nengo.SpikingRectifiedLinear(),
                             gain=np.ones(3), bias=np.zeros(3))
        nengo.Connection(node, ens.neurons, transform=np.diag(gains), synapse=None)
        probe = nengo.Probe(ens.neurons, synapse=None)
    model = loihi_model(decode_tau=0.005, input_encoding=encoding)
    with nengo_lmu.Simulator(net, backend="loihi-sim", model=model,
                             progress_bar=False) as sim:
        counts = _count_host_spikes(sim)
        sim.run_steps(steps)
    rates = (sim.data[probe] > 0).sum(axis=0) / (steps * sim.dt)
    return rates, _spikes_per_step(counts, steps).mean()


@pytest.mark.parametrize("encoding", ["on-off", "rectified"])
def test_input_encodings_carry_the_value(encoding, plt):
    """Both encodings deliver the value; the rectified one with |v| spikes per step, not 1."""
    values = [0.6, -0.3, 0.0]
    rates, spikes_per_step = run_constant_input(encoding, values)
    plt.bar(range(3), rates)
    # 200 |v| Hz of current where the weight's sign makes it positive, else none;
    # the chip's neurons fire at whole steps between spikes (nengo-loihi's rate curve)
    from nengo_loihi.neurons import LoihiSpikingRectifiedLinear  # pylint: disable=C0415

    chip = np.ravel(LoihiSpikingRectifiedLinear().rates(np.array([120.0, 60.0, 0.0]), 1.0, 0.0))
    assert rates == pytest.approx(chip, abs=3)
    expected = 3.0 if encoding == "on-off" else np.sum(np.abs(values))
    assert spikes_per_step == pytest.approx(expected, rel=0.05)


def test_loihi_model_rejects_an_unknown_encoding():
    with pytest.raises(ValidationError) as info:
        loihi_model(input_encoding="poisson")
    assert info.value.attr == "input_encoding"
