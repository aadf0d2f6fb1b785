"""nengo-lmu's networks under nengo-loihi's own Simulator (``nengo_lmu.loihi.build``)."""

import nengo
import numpy as np
import pytest

from nengo_lmu.exceptions import LoihiPreflightError
from nengo_lmu.networks import LegendreMemory

nengo_loihi = pytest.importorskip("nengo_loihi")


def spiking_memory_model(**kwargs):
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(0.5)
        memory = LegendreMemory(2, 0.2, **kwargs)
        nengo.Connection(stim, memory.input, synapse=None)
        nengo.Probe(memory.output, synapse=0.01)
    return net, memory


def test_preflight_message_under_nengo_loihi_simulator():
    """Every problem and what to do, not nengo-loihi's 'Could not find appropriate weight exponent'."""
    net, _ = spiking_memory_model(n_neurons=5, layout="single")
    with pytest.raises(LoihiPreflightError) as info:
        nengo_loihi.Simulator(net, target="sim")
    message = str(info.value)
    assert "cannot take its Loihi-ready form" in message
    assert "layout='array'" in message


def test_preflight_lists_each_problem_under_nengo_loihi_simulator():
    net, _ = spiking_memory_model(n_neurons=6, neuron_type=nengo.LIFRate())
    with pytest.raises(LoihiPreflightError) as info:
        nengo_loihi.Simulator(net, target="sim", dt=0.002)
    message = str(info.value)
    assert "dt=0.002, but the chip runs at dt=0.001" in message
    assert "LIFRate neurons are not on the chip" in message


def test_loihi_form_leaves_the_memory_as_it_was():
    net, memory = spiking_memory_model(n_neurons=6)
    ensembles, connections = list(memory.all_ensembles), list(memory.all_connections)
    state_ensembles = list(memory.state_ensembles)
    with pytest.warns(UserWarning, match="Loihi-ready form"):
        with nengo_loihi.Simulator(net, target="sim") as sim:
            sim.run_steps(5)
    assert memory.all_ensembles == ensembles
    assert memory.all_connections == connections
    assert memory.state_ensembles == state_ensembles
    assert not memory.loihi and memory.input_ensembles == []
    # the Loihi-ready form was built: an input ensemble and one state population
    built = [obj for obj in sim.model.params if isinstance(obj, nengo.Ensemble)]
    assert {ens.label for ens in built} == {"input ensemble 0", "state ensemble 0"}


def test_loihi_true_memory_builds_without_warning(recwarn):
    net, _ = spiking_memory_model(n_neurons=6, loihi=True)
    with nengo_loihi.Simulator(net, target="sim") as sim:
        sim.run_steps(5)
    assert not [w for w in recwarn if "Loihi-ready form" in str(w.message)]


def test_networks_without_memories_are_nengo_loihis_own():
    """No pre-flight where nengo-lmu has nothing to build: nengo-loihi decides, as before."""
    with nengo.Network(seed=0) as net:
        # beyond the pre-flight's usable rates, which nengo-loihi builds anyway
        ens = nengo.Ensemble(
            10, 1, neuron_type=nengo.SpikingRectifiedLinear(),
            max_rates=nengo.dists.Uniform(600, 700),
        )
        probe = nengo.Probe(ens.neurons)
    with nengo_loihi.Simulator(net, target="sim") as sim:
        sim.run_steps(5)
    assert np.asarray(sim.data[probe]).shape == (5, 10)
