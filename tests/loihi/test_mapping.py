"""How a Loihi-ready memory maps onto the chip (`nengo_lmu.loihi.mapping`)."""

import nengo
import pytest

from nengo_lmu.loihi.mapping import loihi_mapping
from nengo_lmu.networks import LegendreMemory


def test_mapping_figures_of_a_loihi_memory(seed):
    pytest.importorskip("nengo_loihi")
    with nengo.Network(seed=seed) as net:
        stim = nengo.Node(0.2)
        memory = LegendreMemory(4, 0.5, n_neurons=50, loihi=True)
        nengo.Connection(stim, memory.input, synapse=None)
        nengo.Probe(memory.output)
    figures = loihi_mapping(net)
    figures["simulator"].close()
    on_chip = sum(ens.n_neurons for ens in memory.state_ensembles + memory.input_ensembles)
    assert figures["neurons"] >= on_chip == 250
    assert figures["cores"] == len(figures["neurons_per_core"]) >= 2
    assert figures["neurons_per_core"].max() <= 1024
    assert figures["weights"] >= 200 * 200 + 50 * 200  # recurrent and input weights
    # one synapse per block for the recurrence: no weak synapse scaled up
    assert 0 < figures["weight_rel_rms"] < 0.05
    assert figures["learned_synapses"] == 0
