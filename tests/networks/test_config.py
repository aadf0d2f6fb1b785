"""A memory follows the enclosing network's ``config[nengo.Ensemble]``, as nengo's networks do."""

import nengo
import pytest

from nengo_lmu.networks import LegendreMemory, LMUCell, default_tuning


def test_neuron_type_from_the_enclosing_config():
    with nengo.Network() as net:
        net.config[nengo.Ensemble].neuron_type = nengo.LIFRate()
        memory = LegendreMemory(3, 0.2, n_neurons=10)
    assert memory.neuron_type == nengo.LIFRate()
    assert all(type(e.neuron_type) is nengo.LIFRate for e in memory.state_ensembles)
    # and the tuning the memory chooses for that type
    intercepts, _ = default_tuning(nengo.LIFRate())
    assert all(e.intercepts == intercepts for e in memory.state_ensembles)


def test_explicit_arguments_win_over_the_config():
    with nengo.Network() as net:
        net.config[nengo.Ensemble].neuron_type = nengo.LIFRate()
        net.config[nengo.Ensemble].max_rates = nengo.dists.Choice([80])
        memory = LegendreMemory(
            3, 0.2, n_neurons=10, neuron_type=nengo.RectifiedLinear(),
            max_rates=nengo.dists.Choice([90]),
        )
    for ens in memory.state_ensembles:
        assert type(ens.neuron_type) is nengo.RectifiedLinear
        assert ens.max_rates == nengo.dists.Choice([90])


def test_tuning_from_the_innermost_config():
    with nengo.Network() as outer:
        outer.config[nengo.Ensemble].max_rates = nengo.dists.Choice([80])
        outer.config[nengo.Ensemble].intercepts = nengo.dists.Choice([-0.5])
        with nengo.Network() as inner:
            inner.config[nengo.Ensemble].max_rates = nengo.dists.Choice([70])
            memory = LegendreMemory(3, 0.2, n_neurons=10)
    for ens in memory.state_ensembles:
        assert ens.max_rates == nengo.dists.Choice([70])
        assert ens.intercepts == nengo.dists.Choice([-0.5])
    # tuned by the config: no LIF lead correction is assumed (see default_lead)
    assert memory.applied_lead == 0


def test_defaults_without_a_config():
    with nengo.Network():
        memory = LegendreMemory(3, 0.2, n_neurons=10)
    assert memory.neuron_type == nengo.SpikingRectifiedLinear()
    for ens in memory.state_ensembles:
        assert ens.max_rates == nengo.dists.Uniform(100, 120)
        assert ens.intercepts == default_tuning(nengo.SpikingRectifiedLinear())[0]


def test_cell_memory_follows_the_config():
    pytest.importorskip("nengo_dl")
    with nengo.Network() as net:
        net.config[nengo.Ensemble].neuron_type = nengo.LIF()
        cell = LMUCell(units=3, order=2, theta=0.1, memory_neurons=10)
    assert all(type(e.neuron_type) is nengo.LIF for e in cell.memory.state_ensembles)
