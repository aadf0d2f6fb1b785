"""The networks of ``nengo-lmu bench backends``: a registry, `BENCH_NETWORKS`.

Each is a `BenchNetwork` (name -> ``build``, which makes the model for an
input signal, and a `BenchCase` that scores the probes). Adding a network is
one function and one `register_network` call.
"""

import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.backends import is_loihi_backend
from nengo_lmu.benchmarks.memories import memory_errors
from nengo_lmu.demos.online import filtered_like_output
from nengo_lmu.loihi import loihi_model
from nengo_lmu.metrics import delayed, nrmse
from nengo_lmu.networks import LearnedReadout, LegendreMemory
from nengo_lmu.training import deployment
from nengo_lmu.training.fit import train_classifier
from nengo_lmu.training.recipes import RECIPES, load_dataset
from nengo_lmu.training.sequences import accuracy, sequence_model
from nengo_lmu.training.spec import load_model


class BenchCase:
    """One model of a benchmark network, ready to be simulated and scored.

    Parameters
    ----------
    model : nengo.Network
        The whole model, input included.
    stim : nengo.Node
        The input Node (no input of its own), which NengoDL can feed with
        data (see `compare_batched`).
    score : callable
        ``score(data) -> float``: the accuracy figure, from ``data``, a
        mapping from each of the model's probes to its ``(steps, d)`` output
        over one run from the start. NaN if the run was too short to score.
    run : callable, optional
        ``run(sim, n_steps)``: the accuracy run (default: ``sim.run_steps``);
        a network that changes something during the run (such as switching
        learning off) does it here.
    backend_kwargs : callable, optional
        ``backend_kwargs(backend) -> dict``: extra arguments of that backend's
        simulator (default: none).
    """

    def __init__(self, model, stim, score, run=None, backend_kwargs=None):
        self.model = model
        self.stim = stim
        self.score = score
        self.run = run if run is not None else lambda sim, n_steps: sim.run_steps(n_steps)
        self.backend_kwargs = backend_kwargs if backend_kwargs is not None else lambda b: {}


class BenchNetwork:
    """A network of the library as the backends benchmark builds and scores it.

    Parameters
    ----------
    name : str
        Short name (the table's ``network`` column).
    metric : str
        What the accuracy figure is (the table's ``figure`` column).
    build : callable
        ``build(signal_output, signal, dt, seed) -> BenchCase``:
        ``signal_output`` is what the input Node outputs (a Process, or a
        callable), ``signal`` the ``(n_steps, size_in)`` array it presents.
    duration : float
        Default simulated seconds of the accuracy run.
    freq, rms : float
        Cut-off (Hz) and RMS of the white-noise input.
    size_in : int
        Dimensions of the input.
    batchable : bool
        Whether the network can run many inputs at once in NengoDL (it has no
        Python code that depends on the run, like a learning switch).
    description : str
        One line for the table's legend.
    """

    def __init__(
        self, name, metric, build, duration, freq=1.0, rms=0.3, size_in=1,
        batchable=True, description="",
    ):
        self.name = name
        self.metric = metric
        self.build = build
        self.duration = duration
        self.freq = freq
        self.rms = rms
        self.size_in = size_in
        self.batchable = batchable
        self.description = description

    def make_signal(self, duration, dt, seed):
        """The white-noise input, ``(n_steps, size_in)``, for one run.

        Its period is the run, or two periods of the cut-off if that is longer
        (a shorter period has no frequency below the cut-off).
        """
        process = nengo.processes.WhiteSignal(
            max(duration, 2 / self.freq), high=self.freq, rms=self.rms, y0=0, seed=seed
        )
        return process.run_steps(n_steps(duration, dt), d=self.size_in, dt=dt)

    def make_case(self, duration, dt, seed, signal_seed=None):
        """Build the model on its own white-noise input (played by a Process)."""
        signal = self.make_signal(duration, dt, seed if signal_seed is None else signal_seed)
        output = nengo.processes.PresentInput(signal, presentation_time=dt)
        return self.build(output, signal, dt=dt, seed=seed)

    def __repr__(self):
        return f"BenchNetwork({self.name!r})"


#: Name -> `BenchNetwork`: the networks ``nengo-lmu bench backends`` runs (see
#: `register_network`).
BENCH_NETWORKS = {}


def register_network(network):
    """Add a `BenchNetwork` to `BENCH_NETWORKS` (under its name); return it."""
    BENCH_NETWORKS[network.name] = network
    return network


def n_steps(duration, dt):
    """Simulator steps in ``duration`` seconds."""
    return int(round(duration / dt))


def _score_window(n, dt, theta):
    """Steps scored: after the first window, or the second half of a shorter run.

    A memory's first window is a transient (it starts empty), so scores skip
    it; a run of less than two windows skips only its first half.
    """
    return slice(min(int(round(theta / dt)), n // 2), n)


def ideal_memory_network(order=12, theta=1.0, freq=2.0, duration=10.0, name="ideal-memory"):
    """The ideal `.LegendreMemory` delaying white noise, scored against exact delays.

    The memory reads out the input 1/4, 1/2, 3/4 and 1 window ago
    (`.LegendreMemory.add_delays`); the figure is the mean NRMSE of those
    readouts against the exactly delayed input, after the first window (the
    same as ``nengo-lmu demo ideal-delay``).
    """

    delays = theta * np.array([0.25, 0.5, 0.75, 1.0])

    def build(signal_output, signal, dt, seed):
        with nengo.Network(label=name, seed=seed) as model:
            stim = nengo.Node(signal_output, size_out=signal.shape[1], label="input")
            memory = LegendreMemory(order, theta, size_in=signal.shape[1], dt=dt)
            nengo.Connection(stim, memory.input, synapse=None)
            p_stim = nengo.Probe(stim, synapse=None)
            p_delays = nengo.Probe(memory.add_delays(delays), synapse=None)

        def score(data):
            u = data[p_stim][:, 0]
            if len(u) <= n_steps(theta, dt) + 1:
                return float("nan")  # the longest delay has not passed yet
            targets = np.stack([delayed(u, n_steps(d, dt)) for d in delays], axis=1)
            after_window = slice(n_steps(theta, dt), len(u))
            return float(np.mean(nrmse(data[p_delays][after_window], targets[after_window],
                                       axis=0)))

        return BenchCase(model, stim, score)

    return BenchNetwork(
        name, "delay NRMSE vs exact delays", build, duration, freq=freq,
        description=f"ideal LegendreMemory(order={order}, theta={theta:g}), "
        f"add_delays at 1/4..1 theta, {freq:g} Hz white noise; figure = mean "
        f"NRMSE of the 4 readouts vs the exactly delayed input, after the first window",
    )


def spiking_memory_network(
    neuron_type, order=6, theta=1.0, n_neurons=100, freq=1.0, duration=10.0, name=None,
    **memory_kwargs,
):
    """A neural `.LegendreMemory` beside the ideal one, scored by state NRMSE.

    ``memory_kwargs`` go to the neural memory (e.g. ``loihi=True``).

    The figure is `nengo_lmu.benchmarks.memories.memory_errors`' ``state_nrmse``:
    both states through ``Lowpass(0.1)``, the neural one shifted back by its
    step of synaptic lag, the first window skipped (or the first half of a
    run shorter than two windows).
    """

    type_name = type(neuron_type).__name__
    name = name if name is not None else f"spiking-memory-{type_name}"

    def build(signal_output, signal, dt, seed):
        with nengo.Network(label=name, seed=seed) as model:
            stim = nengo.Node(signal_output, size_out=1, label="input")
            ideal = LegendreMemory(order, theta, dt=dt, label="ideal")
            memory = LegendreMemory(
                order, theta, n_neurons=n_neurons, neuron_type=neuron_type, dt=dt,
                **memory_kwargs,
            )
            for target in (ideal.input, memory.input):
                nengo.Connection(stim, target, synapse=None)
            p_ideal = nengo.Probe(ideal.output, synapse=None)
            p_memory = nengo.Probe(memory.output, synapse=None)

        def score(data):
            n = len(data[p_ideal])
            skip = _score_window(n, dt, theta).start
            if n - skip < 2:
                return float("nan")
            errors = memory_errors(
                data[p_memory], data[p_ideal], order, dt, theta=skip * dt, probe_tau=0.1
            )
            return errors["state_nrmse"]

        return BenchCase(model, stim, score)

    return BenchNetwork(
        name, "state NRMSE vs ideal memory", build, duration, freq=freq,
        description=f"LegendreMemory(order={order}, theta={theta:g}, "
        f"n_neurons={n_neurons}, {type_name}"
        + "".join(f", {key}={value!r}" for key, value in memory_kwargs.items())
        + ") beside the ideal memory, "
        f"{freq:g} Hz white noise; figure = state NRMSE (memory_errors)",
    )


def learned_readout_network(
    order=8, theta=1.0, delay=0.5, n_neurons=1000, learning_rate=1e-3, freq=2.0,
    duration=20.0, test_fraction=0.2, name="learned-readout",
):
    """`.LearnedReadout` learning a delay online from an ideal memory.

    The setup of ``nengo-lmu demo learn-delay`` (`nengo_lmu.demos.online`),
    shorter by default: PES learns for the first ``1 - test_fraction`` of the
    run; the figure is the NRMSE of the output against the delayed input
    (filtered alike) with learning off, over the rest.
    """

    probe_synapse = nengo.Lowpass(0.01)

    def build(signal_output, signal, dt, seed):
        target = delayed(signal, n_steps(delay, dt))
        with nengo.Network(label=name, seed=seed) as model:
            stim = nengo.Node(signal_output, size_out=1, label="input")
            target_node = nengo.Node(
                nengo.processes.PresentInput(target, presentation_time=dt), label="target"
            )
            memory = LegendreMemory(order, theta, dt=dt)
            nengo.Connection(stim, memory.input, synapse=None)
            readout = LearnedReadout(memory, n_neurons=n_neurons, learning_rate=learning_rate)
            readout.learn_from(target_node)
            p_output = nengo.Probe(readout.output, synapse=probe_synapse)

        def learn_steps(n):
            return int(round((1 - test_fraction) * n))

        def run(sim, steps):
            readout.learning = True
            sim.run_steps(learn_steps(steps))
            readout.learning = False
            sim.run_steps(steps - learn_steps(steps))

        def score(data):
            output = data[p_output][:, 0]
            n = len(output)
            test = slice(max(learn_steps(n), n_steps(delay, dt)), n)
            reference = filtered_like_output(target[:n], readout, probe_synapse, dt)[test, 0]
            if len(reference) < 2 or not np.any(reference):
                return float("nan")  # no delayed input in the test period yet
            return float(nrmse(output[test], reference))

        return BenchCase(model, stim, score, run=run)

    return BenchNetwork(
        name, "delay NRMSE, learning off", build, duration, freq=freq, batchable=False,
        description=f"LearnedReadout(n_neurons={n_neurons}) of an ideal order-{order} "
        f"memory learning a {delay:g} s delay with PES, {freq:g} Hz white noise; figure = "
        f"NRMSE over the last {test_fraction:.0%} of the run, learning off",
    )


def trained_cell_network(
    epochs=3, n_sequences=40, steps_per_element=10, max_rate=200.0, delay_steps=2,
    name="trained-cell-loihi", model_path=None,
):
    """A trained psdigits `.LMUCell`, deployed Loihi-ready, classifying test sequences.

    The psdigits recipe (`nengo_lmu.training.recipes.RECIPES`) is trained with NengoDL
    for ``epochs`` epochs (once per process, on the first build; or loaded from
    ``model_path``), deployed with `nengo_lmu.training.deployment.deploy` (each element held
    ``steps_per_element`` steps, the busiest neuron at ``max_rate`` Hz), and
    plays the test sequences back to back (`nengo_lmu.training.sequence_model`):
    the figure is the accuracy on the sequences that the run covers (the
    ``duration`` is ``n_sequences`` of them by default). Every backend reads
    each sequence's class ``delay_steps`` steps after its last element (the
    chip's delay; the element is held meanwhile), so that the figures compare.
    The white-noise input of the other rows is not used.
    """

    cache = {}
    steps, gap = 64, 2
    period = gap + steps * steps_per_element + delay_steps

    def deployed(seed):
        if seed not in cache:
            data = load_dataset("psdigits")
            if model_path is not None:
                spec, params = load_model(model_path)
            else:
                recipe = dict(RECIPES["psdigits"], epochs=epochs)
                result = train_classifier(data, seed=seed, progress_bar=False,
                                                   **recipe)
                spec, params = result["spec"], result["params"]
            (x_train, _), test = data
            # read at the last step (no readout window): the figures in
            # docs/benchmarks.rst are of this schedule
            cache[seed] = deployment.deploy(
                spec, params, x_train[:100], steps_per_element=steps_per_element,
                readout_steps=0, max_rate=max_rate,
            ), test
        return cache[seed]

    def build(signal_output, signal, dt, seed):
        (dspec, dparams), (x_test, y_test) = deployed(seed)
        n = max(1, min(len(x_test), int(np.ceil(len(signal) / period))))
        model, reads = sequence_model(dspec, dparams, x_test[:n],
                                               gap_steps=gap, delay_steps=delay_steps)
        model.net.label = name

        def score(data):
            out = data[model.probe]
            done = reads < len(out)
            if not np.any(done):
                return float("nan")
            return accuracy(out[reads[done]], y_test[:n][done])

        def backend_kwargs(backend):
            if is_loihi_backend(backend):  # host inputs unfiltered on the chip
                return dict(model=loihi_model(dt))
            return {}

        return BenchCase(model.net, model.input, score, backend_kwargs=backend_kwargs)

    return BenchNetwork(
        name, "test accuracy (psdigits)", build, duration=n_sequences * period * 0.001,
        batchable=False,
        description=f"psdigits LMUCell (recipe, {epochs} epochs of NengoDL training), "
        f"deployed Loihi-ready: elements held {steps_per_element} steps, busiest neuron "
        f"{max_rate:g} Hz, SpikingRectifiedLinear on chip, memory and readout on the "
        f"host; figure = accuracy on the test sequences the run covers "
        f"({n_sequences} by default), read {delay_steps} steps after each sequence",
    )

register_network(ideal_memory_network())
register_network(spiking_memory_network(nengo.SpikingRectifiedLinear(), name="spiking-memory-relu"))
register_network(spiking_memory_network(nengo.LIF(), name="spiking-memory-lif"))
register_network(
    spiking_memory_network(
        nengo.SpikingRectifiedLinear(), name="spiking-memory-loihi", loihi=True
    )
)
register_network(learned_readout_network())
register_network(trained_cell_network())


def probe_data(sim, model, index=None):
    """Probe -> ``(steps, d)`` array; ``index`` picks one signal of a minibatch."""
    data = {}
    for probe in model.all_probes:
        values = np.asarray(sim.data[probe])
        if index is not None:
            values = values[index]
        elif values.ndim == 3:  # NengoDL keeps a minibatch axis
            values = values[0]
        data[probe] = values
    return data


def check_networks(networks):
    """Resolve names (or `BenchNetwork` objects) to a name -> network dict."""
    if networks is None:
        return dict(BENCH_NETWORKS)
    resolved = {}
    for network in networks:
        if isinstance(network, BenchNetwork):
            resolved[network.name] = network
        elif network in BENCH_NETWORKS:
            resolved[network] = BENCH_NETWORKS[network]
        else:
            raise ValidationError(
                f"Unknown network {network!r}; choose from {sorted(BENCH_NETWORKS)}",
                "networks",
            )
    if not resolved:
        raise ValidationError("Give at least one network", "networks")
    return resolved
