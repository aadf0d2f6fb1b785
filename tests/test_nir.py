"""NIR export and import (`nengo_lmu.nir`)."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

import nengo_lmu
import nengo_lmu.nir
from nengo_lmu.metrics import nrmse
from nengo_lmu.networks import LearnedReadout, LegendreMemory
from nengo_lmu.nir import euler_tau, exact_tau, export_nir, import_nir, save_nir

nir = pytest.importorskip("nir")

LIF0 = nengo.LIF(tau_ref=0, min_voltage=-np.inf)


def memory_model(seed, make_net, duration=0.5):
    """A white-noise input into the network ``make_net()`` builds; its output probed."""
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(nengo.processes.WhiteSignal(duration, high=5, rms=0.3, seed=seed))
        net, inp, out = make_net()
        nengo.Connection(stim, inp, synapse=None)
        probe = nengo.Probe(out, synapse=None)
    return model, net, probe


def spiking_memory(seed, loihi=False):
    def make():
        # a seed of its own: export builds it alone, with the same neurons
        memory = LegendreMemory(
            6, 1.0, n_neurons=20, neuron_type=LIF0, loihi=loihi, seed=seed + 1
        )
        return memory, memory.input, memory.output
    return make


def imported(graph):
    def make():
        net = import_nir(graph)
        (inp,), (out,) = net.inputs.values(), net.outputs.values()
        return net, inp, out
    return make


def run(model, probe, backend="nengo", duration=0.5):
    with nengo_lmu.Simulator(model, backend=backend, progress_bar=False) as sim:
        sim.run(duration)
    return sim.data[probe]


@pytest.mark.parametrize("loihi", [False, True])
def test_round_trip_matches_nengo(seed, allclose, loihi):
    model, memory, probe = memory_model(seed, spiking_memory(seed, loihi))
    graph = export_nir(memory)
    expected = run(model, probe)
    model2, _, probe2 = memory_model(seed, imported(graph))
    actual = run(model2, probe2)
    assert np.abs(expected).max() > 1  # the neurons spike (1/dt-sized decoded spikes)
    assert allclose(actual, expected, atol=1e-10, rtol=0)


def test_round_trip_with_built_model(seed, allclose):
    """``model=`` exports the neurons a simulator runs (a memory without a seed)."""
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(nengo.processes.WhiteSignal(0.3, high=4, rms=0.3, seed=seed))
        memory = LegendreMemory(4, 0.5, n_neurons=10, neuron_type=LIF0)
        nengo.Connection(stim, memory.input, synapse=None)
        probe = nengo.Probe(memory.output, synapse=None)
    builder = nengo.builder.Model(dt=0.001)
    builder.build(model)
    graph = export_nir(memory, model=builder)
    model2, _, probe2 = memory_model(seed, imported(graph), duration=0.3)
    assert allclose(run(model2, probe2, duration=0.3), run(model, probe, duration=0.3),
                    atol=1e-10, rtol=0)


def test_graph_structure_and_metadata(seed):
    graph = export_nir(spiking_memory(seed)()[0], dt=0.001)
    kinds = [type(node).__name__ for node in graph.nodes.values()]
    assert kinds.count("CubaLIF") == 6 and kinds.count("Input") == kinds.count("Output") == 1
    assert graph.metadata["dt"] == 0.001
    assert graph.metadata["time_constants"] == "euler"
    cuba = next(n for n in graph.nodes.values() if isinstance(n, nir.CubaLIF))
    assert np.allclose(cuba.tau_syn, euler_tau(0.1, 0.001))
    assert np.allclose(cuba.tau_mem, euler_tau(0.02, 0.001))
    assert np.allclose(cuba.v_threshold, 1) and np.allclose(cuba.v_reset, 0)
    exact = export_nir(spiking_memory(seed)()[0], time_constants="exact")
    cuba = next(n for n in exact.nodes.values() if isinstance(n, nir.CubaLIF))
    assert np.allclose(cuba.tau_syn, 0.1) and exact.metadata["time_constants"] == "exact"


def test_euler_tau_inverts():
    tau = np.array([0.005, 0.02, 0.1, 1.0])
    assert np.allclose(exact_tau(euler_tau(tau, 0.001), 0.001), tau, rtol=1e-12)
    # one Euler step of the exported constant is nengo's exact decay
    assert np.allclose(1 - 0.001 / euler_tau(tau, 0.001), np.exp(-0.001 / tau))


def test_save_and_read_back(tmp_path, seed, allclose):
    memory = spiking_memory(seed)()[0]
    path = tmp_path / "memory.nir"
    graph = save_nir(path, memory)
    read = nir.read(path)
    assert set(read.nodes) == set(graph.nodes)
    assert sorted(map(tuple, read.edges)) == sorted(map(tuple, graph.edges))
    assert float(read.metadata["dt"]) == 0.001
    for name, node in graph.nodes.items():
        if isinstance(node, nir.Linear):
            assert allclose(read.nodes[name].weight, node.weight)
    assert [p.name for p in tmp_path.iterdir()] == ["memory.nir"]  # no temporary left
    # importing from the file runs the same network as from the graph
    model, _, probe = memory_model(seed, imported(path), duration=0.2)
    model2, _, probe2 = memory_model(seed, imported(graph), duration=0.2)
    assert allclose(run(model, probe, duration=0.2), run(model2, probe2, duration=0.2))


def _network(neuron_type=LIF0, synapse=0.05, second=None, learning=False, node_fn=False):
    with nengo.Network(seed=0) as net:
        inp = nengo.Node(np.sin if node_fn else None, size_in=None if node_fn else 1)
        a = nengo.Ensemble(10, 1, neuron_type=neuron_type)
        b = nengo.Ensemble(10, 1, neuron_type=LIF0)
        nengo.Connection(inp, a, synapse=synapse)
        conn = nengo.Connection(a, b, synapse=synapse)
        if second is not None:
            nengo.Connection(inp, b, synapse=second)
        if learning:
            conn.learning_rule_type = nengo.PES()
    return net


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: _network(nengo.LIF(min_voltage=-np.inf)), "build with nengo.LIF(tau_ref=0"),
        (lambda: _network(nengo.LIF(tau_ref=0)), "min_voltage=-np.inf"),
        (lambda: _network(nengo.SpikingRectifiedLinear()), "resets by subtraction"),
        (lambda: _network(nengo.LIFRate()), "has no NIR equivalent"),
        (lambda: _network(synapse=nengo.Alpha(0.01)), "use nengo.Lowpass"),
        (lambda: _network(second=0.01), "different synapses"),
        (lambda: _network(learning=True), "weights=frozen_weights"),
        (lambda: _network(node_fn=True), "computes a Python function"),
    ],
    ids=["tau_ref", "min_voltage", "spiking-relu", "rate", "alpha", "mixed", "learning",
         "node-function"],
)
def test_refusals(make, message):
    with pytest.raises(ValidationError, match=message.replace("(", r"\(")):
        export_nir(make())


def test_refuses_two_synapses_in_series_and_filtered_outputs():
    with nengo.Network() as net:
        inp = nengo.Node(size_in=1)
        mid = nengo.Node(size_in=1)
        ens = nengo.Ensemble(5, 1, neuron_type=LIF0)
        nengo.Connection(inp, mid, synapse=0.01)
        nengo.Connection(mid, ens, synapse=0.01)
    with pytest.raises(ValidationError, match="second synapse"):
        export_nir(net)
    with nengo.Network() as net:
        inp = nengo.Node(size_in=1)
        out = nengo.Node(size_in=1)
        ens = nengo.Ensemble(5, 1, neuron_type=LIF0)
        nengo.Connection(inp, ens, synapse=None)
        nengo.Connection(ens, out, synapse=0.01)
    with pytest.raises(ValidationError, match="outputs are unfiltered"):
        export_nir(net)


def test_bad_arguments(seed):
    memory = spiking_memory(seed)()[0]
    with pytest.raises(ValidationError, match="dt"):
        export_nir(memory, dt=0)
    with pytest.raises(ValidationError, match="time_constants"):
        export_nir(memory, time_constants="rk4")
    with pytest.raises(ValidationError, match="network"):
        export_nir("memory")
    with pytest.raises(ValidationError, match="not a Node of the exported network"):
        export_nir(memory, outputs=[nengo.Node(size_in=1, add_to_container=False)])


def test_import_refuses_unknown_nodes():
    graph = nir.NIRGraph(
        nodes={"in": nir.Input(np.array([2])), "if": nir.IF(r=np.ones(2), v_threshold=np.ones(2)),
               "out": nir.Output(np.array([2]))},
        edges=[("in", "if"), ("if", "out")],
    )
    with pytest.raises(ValidationError, match="IF"):
        import_nir(graph)


@pytest.mark.backends_lack(
    "loihi-sim", "loihi",
    reason="not supported: nengo-loihi 1.1 runs the imported network, but its output "
    "does not follow nengo's (NRMSE 0.96 against nengo in this test)",
)
def test_imported_runs_on_backend(Simulator, seed, plt):
    """A foreign graph (no nengo metadata) runs and tracks its nengo run."""
    rng = np.random.RandomState(seed)
    n = 40
    graph = nir.NIRGraph(
        nodes={
            "in": nir.Input(np.array([1])),
            "w_in": nir.Affine(weight=rng.uniform(-40, 40, (n, 1)), bias=np.zeros(n)),
            "pop": nir.CubaLIF(
                tau_syn=np.full(n, 0.01), tau_mem=np.full(n, 0.02), r=np.ones(n),
                v_leak=rng.uniform(0.5, 1.5, n), v_threshold=np.ones(n),
            ),
            "w_out": nir.Linear(weight=rng.uniform(-0.2, 0.2, (1, n))),
            "out": nir.Output(np.array([1])),
        },
        edges=[("in", "w_in"), ("w_in", "pop"), ("pop", "w_out"), ("w_out", "out")],
    )
    outputs = {}
    for backend, sim_class in (("nengo", None), ("this", Simulator)):
        with nengo.Network(seed=seed) as model:
            stim = nengo.Node(nengo.processes.WhiteSignal(1.0, high=2, rms=0.5, seed=seed))
            net = import_nir(graph)
            nengo.Connection(stim, net.inputs["in"], synapse=None)
            probe = nengo.Probe(net.outputs["out"], synapse=0.05)
        if sim_class is None:
            outputs[backend] = run(model, probe, duration=1.0)
        else:
            with sim_class(model, progress_bar=False) as sim:
                sim.run(1.0)
            outputs[backend] = sim.data[probe]
    plt.plot(outputs["nengo"], label="nengo")
    plt.plot(outputs["this"], label="backend")
    assert np.std(outputs["nengo"]) > 0.01  # the population responds
    assert nrmse(outputs["this"], outputs["nengo"]) < 0.1


def test_nirlif_rates_are_the_rates_it_fires_at():
    neuron_type = nengo_lmu.nir.NIRLIF(dt=0.001)
    J = np.linspace(1.01, 6, 30)
    predicted = neuron_type.rates(J[None, :], np.ones(30), np.zeros(30))[0]
    voltage, refractory, spikes, counted = (np.zeros(30) for _ in range(4))
    for _ in range(2000):
        neuron_type.step(0.001, J, spikes, voltage, refractory)
        counted += spikes * 0.001
    # within one spike in 2 s (the phase of the last interval)
    assert np.abs(counted / 2 - predicted).max() <= 0.5 + 1e-9
    lif_rate = nengo.LIFRate(tau_ref=0).rates(J[None, :], np.ones(30), np.zeros(30))[0]
    assert np.abs(counted / 2 - lif_rate).max() > 10  # what NIRLIF corrects


def test_nirlif_is_exported_as_lif(seed):
    with nengo.Network(seed=seed) as net:
        nengo.Node(size_in=1)
        nengo.Ensemble(5, 1, neuron_type=nengo_lmu.nir.NIRLIF())
    graph = export_nir(net)
    assert sum(isinstance(node, nir.LIF) for node in graph.nodes.values()) == 1


def test_learned_readout_with_frozen_weights(seed, allclose):
    """A memory and a LearnedReadout, exported with the weights learned so far."""
    neuron_type = nengo_lmu.nir.NIRLIF()
    with nengo.Network(seed=seed) as model:
        stim = nengo.Node(nengo.processes.WhiteSignal(1.0, high=5, rms=0.3, seed=seed))
        with nengo.Network(label="memory and readout") as both:
            memory = LegendreMemory(4, 0.5, n_neurons=20, neuron_type=neuron_type)
            readout = LearnedReadout(memory, n_neurons=40, neuron_type=neuron_type,
                                     learning_rate=1e-2, synapse=None)
        nengo.Connection(stim, memory.input, synapse=None)
        readout.learn_from(stim)
        probe = nengo.Probe(readout.output, synapse=None)
    with nengo_lmu.Simulator(model, backend="nengo", progress_bar=False) as sim:
        sim.run(0.5)
        frozen = nengo_lmu.nir.frozen_weights(sim, both)
        graph = export_nir(both, model=sim.model, weights=frozen, outputs=[readout.output])
    assert len(frozen) == len(readout.learned_connections)
    # it learned something (the weights start at 0)
    assert max(np.abs(w).max() for w in frozen.values()) > 0
    kinds = [type(node).__name__ for node in graph.nodes.values()]
    assert kinds.count("Input") == kinds.count("Output") == 1  # no error, no gate
    with pytest.raises(ValidationError, match="model=sim.model"):  # stim is outside
        export_nir(both, weights=frozen)

    # the truth: the original network, learning off, with the frozen weights
    readout.learning = False
    with nengo_lmu.Simulator(model, backend="nengo", progress_bar=False) as sim:
        for conn, learned in frozen.items():
            sim.signals[sim.model.sig[conn]["weights"]][...] = learned
        sim.run(0.3)
    expected = sim.data[probe]
    model2, _, probe2 = memory_model(seed, imported(graph), duration=1.0)
    assert np.abs(expected).max() > 1  # decoded spikes
    assert allclose(run(model2, probe2, duration=0.3), expected, atol=1e-10, rtol=0)
