"""Loihi readiness: the pre-flight check (`nengo_lmu.loihi.checks`)."""

import doctest
import re

import nengo
import numpy as np
import pytest
from nengo.exceptions import BuildError

import nengo_lmu
import nengo_lmu.loihi.checks
from nengo_lmu.loihi import LoihiPreflightError, chip_ensembles, preflight
from nengo_lmu.networks import LegendreMemory


def reasons_for(problems, obj):
    return [reason for each, reason in problems if each is obj]


def on_chip_model(**ens_kwargs):
    """A Node feeding an on-chip ensemble: Loihi-ready as it is."""
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(0.5)
        ens = nengo.Ensemble(50, 1, **ens_kwargs)
        conn = nengo.Connection(stim, ens, synapse=0.01)
        nengo.Probe(ens, synapse=0.01)
    return net, ens, conn


def test_nodes_feeding_ensembles_pass():
    net, _, _ = on_chip_model()
    assert preflight(net) == []


def test_dt_other_than_one_millisecond():
    net, _, _ = on_chip_model()
    assert reasons_for(preflight(net, dt=0.002), net) == [
        "dt=0.002, but the chip runs at dt=0.001 only"
    ]


def test_node_only_network():
    with nengo.Network() as net:
        LegendreMemory(4, 0.5)  # ideal: Nodes only
    (reason,) = reasons_for(preflight(net), net)
    assert "No neurons marked for execution on-chip" in reason
    assert "ideal memory" in reason


@pytest.mark.parametrize("synapse", [nengo.Alpha(0.01), nengo.LinearFilter([1], [0.01, 1])])
def test_synapse_into_chip_must_be_lowpass(synapse):
    net, _, conn = on_chip_model()
    conn.synapse = synapse
    (reason,) = reasons_for(preflight(net), conn)
    assert "Lowpass synapses only" in reason


def test_synapse_into_a_node_may_be_anything():
    net, ens, _ = on_chip_model()
    with net:
        node = nengo.Node(size_in=1)
        nengo.Connection(ens, node, synapse=nengo.Alpha(0.01))
    assert preflight(net) == []


def test_one_time_constant_per_ensemble():
    net, ens, _ = on_chip_model()
    with net:
        nengo.Connection(ens, ens, synapse=0.1)
    (reason,) = reasons_for(preflight(net), ens)
    assert "different time constants [0.01, 0.1]" in reason


@pytest.mark.parametrize(
    "neuron_type, match",
    [
        (nengo.LIFRate(), "LIFRate neurons are not on the chip"),
        (nengo.Sigmoid(), "Sigmoid neurons are not on the chip"),
        (nengo.AdaptiveLIF(), "would build it as plain LIF"),
        (nengo.RegularSpiking(nengo.Tanh()), r"RegularSpiking\(Tanh\) is not on the chip"),
        (nengo.PoissonSpiking(nengo.LIFRate()), "PoissonSpiking neurons are not on the chip"),
    ],
)
def test_neuron_types_the_chip_lacks(neuron_type, match):
    net, ens, _ = on_chip_model(neuron_type=neuron_type)
    (reason,) = reasons_for(preflight(net), ens)
    assert re.search(match, reason)


@pytest.mark.parametrize(
    "neuron_type",
    [nengo.LIF(), nengo.SpikingRectifiedLinear(), nengo.RegularSpiking(nengo.LIFRate())],
)
def test_neuron_types_the_chip_has(neuron_type):
    net, _, _ = on_chip_model(neuron_type=neuron_type)
    assert preflight(net) == []


def test_off_chip_ensembles_are_not_checked():
    nengo_loihi = pytest.importorskip("nengo_loihi")
    net, ens, _ = on_chip_model(neuron_type=nengo.Sigmoid())
    with net:
        chip = nengo.Ensemble(50, 1)
        nengo.Connection(ens, chip, synapse=0.01)
    nengo_loihi.add_params(net)
    net.config[ens].on_chip = False
    assert chip_ensembles(net) == [chip]
    assert preflight(net) == []


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(intercepts=nengo.dists.Uniform(-1, 0.99)), "above nengo-loihi's limit 0.95"),
        (dict(intercepts=np.linspace(-1, 0.97, 50)), "above nengo-loihi's limit 0.95"),
        (dict(max_rates=nengo.dists.Uniform(200, 800)), "max_rates reach 800 Hz"),
    ],
)
def test_tuning_outside_what_works_on_chip(kwargs, match):
    net, ens, _ = on_chip_model(**kwargs)
    (reason,) = reasons_for(preflight(net), ens)
    assert match in reason


def test_learning_rules():
    with nengo.Network() as net:
        a = nengo.Ensemble(50, 1)
        b = nengo.Ensemble(50, 1)
        pes_from_neurons = nengo.Connection(
            a.neurons, b, transform=np.zeros((1, 50)), learning_rule_type=nengo.PES()
        )
        bcm = nengo.Connection(
            a.neurons, b.neurons, transform=np.zeros((50, 50)), learning_rule_type=nengo.BCM()
        )
        pes = nengo.Connection(a, b, learning_rule_type=nengo.PES())
    problems = preflight(net)
    assert reasons_for(problems, pes) == []
    assert "PES from a Neurons" in reasons_for(problems, pes_from_neurons)[0]
    assert "the chip learns with PES only" in reasons_for(problems, bcm)[0]


def test_simulator_lists_every_problem_before_building(monkeypatch):
    net, ens, conn = on_chip_model(neuron_type=nengo.LIFRate())
    conn.synapse = nengo.Alpha(0.01)

    def no_build(*args, **kwargs):  # pragma: no cover - must not be reached
        raise AssertionError("built before the pre-flight check")

    monkeypatch.setattr(pytest.importorskip("nengo_loihi"), "Simulator", no_build)
    with pytest.raises(LoihiPreflightError) as info:
        nengo_lmu.Simulator(net, backend="loihi-sim", dt=0.002)
    assert isinstance(info.value, BuildError)
    assert [obj for obj, _ in info.value.problems] == [net, ens, conn]
    message = str(info.value)
    assert "3 object(s) cannot go on the Loihi chip" in message
    assert "on_chip = False" in message  # what to do


def test_nengo_loihi_agrees_node_only_is_refused():
    """What the pre-flight check says about Node-only networks is what nengo-loihi does."""
    nengo_loihi = pytest.importorskip("nengo_loihi")
    with nengo.Network() as net:
        LegendreMemory(4, 0.5)
    with pytest.raises(BuildError, match="No neurons marked for execution on-chip"):
        nengo_loihi.Simulator(net, target="sim", progress_bar=False)


def test_docstring_examples():
    result = doctest.testmod(nengo_lmu.loihi.checks, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
