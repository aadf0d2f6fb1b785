"""``nengo-lmu bench backends``: every network of the library on every backend.

A network is built once per backend, run once for its accuracy figure, then
timed: the backends' simulators are built side by side and run in turn,
``chunk`` simulated seconds at a time, ``repeats`` times, so that the
machine's drift hits every backend alike; the speed is the chunk over the
median wall time (simulated seconds per wall second). Build time is timed
apart. A backend that cannot build or run a network gets a row that says
why (the first line of the error), not a crash.

The networks are a registry, `BENCH_NETWORKS`: name -> `BenchNetwork`,
whose ``build`` makes the model for an input signal and whose `BenchCase`
scores the probes. Adding a network is one function and one
`register_network` call.

NengoDL also simulates many input signals at once (``minibatch_size``):
`compare_batched` runs ``n_signals`` inputs batched, and one by one on
NengoDL and on nengo, checks that the batched results equal the one-by-one
results, and reports the speed-up.
"""

import contextlib
import os
import platform
import sys
import time

import nengo
import numpy as np
from nengo.exceptions import ValidationError
from nengo.params import IntParam, NumberParam

from nengo_lmu.learning_demo import filtered_like_output
from nengo_lmu.memory_benchmarks import memory_errors
from nengo_lmu.metrics import delayed, nrmse
from nengo_lmu.simulator import Simulator, resolve_backend
from nengo_lmu.tables import format_table
from nengo_lmu.validation import check_param

DEFAULT_BACKENDS = ("nengo", "dl", "loihi-sim")

_DURATION = NumberParam("duration", low=0, low_open=True, optional=True)
_CHUNK = NumberParam("chunk", low=0, low_open=True)
_DT = NumberParam("dt", low=0, low_open=True)
_REPEATS = IntParam("repeats", low=1)
_N_SIGNALS = IntParam("n_signals", low=1)


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
    from nengo_lmu.networks import LegendreMemory  # networks import this package

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

    The figure is `nengo_lmu.memory_benchmarks.memory_errors`' ``state_nrmse``:
    both states through ``Lowpass(0.1)``, the neural one shifted back by its
    step of synaptic lag, the first window skipped (or the first half of a
    run shorter than two windows).
    """
    from nengo_lmu.networks import LegendreMemory  # networks import this package

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

    The setup of ``nengo-lmu demo learn-delay`` (`nengo_lmu.learning_demo`),
    shorter by default: PES learns for the first ``1 - test_fraction`` of the
    run; the figure is the NRMSE of the output against the delayed input
    (filtered alike) with learning off, over the rest.
    """
    # pylint: disable=import-outside-toplevel
    from nengo_lmu.networks import LearnedReadout, LegendreMemory

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

    The psdigits recipe (`nengo_lmu.train_cli.RECIPES`) is trained with NengoDL
    for ``epochs`` epochs (once per process, on the first build; or loaded from
    ``model_path``), deployed with `nengo_lmu.deploy.deploy` (each element held
    ``steps_per_element`` steps, the busiest neuron at ``max_rate`` Hz), and
    plays the test sequences back to back (`nengo_lmu.training.sequence_model`):
    the figure is the accuracy on the sequences that the run covers (the
    ``duration`` is ``n_sequences`` of them by default). Every backend reads
    each sequence's class ``delay_steps`` steps after its last element (the
    chip's delay; the element is held meanwhile), so that the figures compare.
    The white-noise input of the other rows is not used.
    """
    # pylint: disable=import-outside-toplevel
    from nengo_lmu import deploy, training
    from nengo_lmu.train_cli import RECIPES, load_dataset

    cache = {}
    steps, gap = 64, 2
    period = gap + steps * steps_per_element + delay_steps

    def deployed(seed):
        if seed not in cache:
            data = load_dataset("psdigits")
            if model_path is not None:
                spec, params = training.load_model(model_path)
            else:
                recipe = dict(RECIPES["psdigits"], epochs=epochs)
                result = training.train_classifier(data, seed=seed, progress_bar=False,
                                                   **recipe)
                spec, params = result["spec"], result["params"]
            (x_train, _), test = data
            cache[seed] = deploy.deploy(
                spec, params, x_train[:100], steps_per_element=steps_per_element,
                max_rate=max_rate,
            ), test
        return cache[seed]

    def build(signal_output, signal, dt, seed):
        (dspec, dparams), (x_test, y_test) = deployed(seed)
        n = max(1, min(len(x_test), int(np.ceil(len(signal) / period))))
        model, reads = training.sequence_model(dspec, dparams, x_test[:n],
                                               gap_steps=gap, delay_steps=delay_steps)
        model.net.label = name

        def score(data):
            out = data[model.probe]
            done = reads < len(out)
            if not np.any(done):
                return float("nan")
            return training.accuracy(out[reads[done]], y_test[:n][done])

        def backend_kwargs(backend):
            if backend in ("loihi-sim", "loihi"):  # host inputs unfiltered on the chip
                return dict(model=deploy.loihi_model(dt))
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


def import_backend(backend):
    """Import a backend's package, so that building on it does not time the import.

    Raises ``ImportError`` if the package is missing.
    """
    from nengo_lmu.simulator import (  # pylint: disable=import-outside-toplevel
        _BACKEND_MODULES,
        import_backend_module,
    )

    import_backend_module(_BACKEND_MODULES[backend][0])


def first_line(error):
    """``Type: first line of the message`` of an exception."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0] if message else ''}".rstrip(": ")


@contextlib.contextmanager
def _quiet_stdout():
    """Backends print build messages on stdout, which carries the results."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


def _probe_data(sim, model, index=None):
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


def check_backends(backends):
    """Validate backend names (a sequence, or a comma-separated string)."""
    if isinstance(backends, str):
        backends = [b.strip() for b in backends.split(",") if b.strip()]
    try:
        backends = [resolve_backend(b) for b in backends]
    except ValidationError as error:
        raise ValidationError(str(error.args[0] if error.args else error), "backends") from error
    if not backends:
        raise ValidationError("Give at least one backend", "backends")
    return backends


def run_backend_table(
    networks=None,
    backends=DEFAULT_BACKENDS,
    duration=None,
    seed=0,
    dt=0.001,
    chunk=1.0,
    repeats=5,
    progress_bar=True,
):
    """Accuracy and speed of each network on each backend.

    For each network, the model is built on every backend (build timed), each
    simulator runs the accuracy run from the start and is scored, then the
    simulators run ``chunk`` seconds each in turn, ``repeats`` times, and the
    speed is ``chunk`` over the median wall time of a chunk.

    Parameters
    ----------
    networks : sequence of str or BenchNetwork, optional
        Names in `BENCH_NETWORKS` (default: all of them) or networks.
    backends : sequence of str or str
        Backends (see `nengo_lmu.Simulator`); a comma-separated string works.
    duration : float, optional
        Simulated seconds of every accuracy run (default: each network's own).
    seed : int
        Seed of the networks and of their input.
    dt : float
        Simulator time step in seconds.
    chunk : float
        Simulated seconds per timed run.
    repeats : int
        Timed runs per backend.
    progress_bar : bool
        Whether to show progress (on stderr).

    Returns
    -------
    list of dict
        One row per network and backend: ``network``, ``backend``, ``metric``,
        ``accuracy`` (NaN if not measured), ``speed`` (simulated seconds per
        wall second), ``build_seconds``, ``duration`` (of the accuracy run)
        and ``status`` (``"ok"``, or why the backend could not run it).
    """
    networks = check_networks(networks)
    backends = check_backends(backends)
    duration = check_param(_DURATION, duration)
    chunk = check_param(_CHUNK, chunk)
    dt = check_param(_DT, dt)
    repeats = check_param(_REPEATS, repeats)

    from tqdm import tqdm  # pylint: disable=import-outside-toplevel

    rows = []
    bar = tqdm(total=len(networks) * len(backends), desc="backends bench",
               disable=not progress_bar, leave=False, file=sys.stderr)
    for network in networks.values():
        run_duration = network.duration if duration is None else duration
        rows.extend(_bench_network(network, backends, run_duration, seed, dt, chunk, repeats, bar))
    bar.close()
    return rows


def _bench_network(network, backends, duration, seed, dt, chunk, repeats, bar):
    """The rows of one network: build and score on each backend, then time them in turn."""
    rows, sims = [], {}
    for backend in backends:
        with contextlib.suppress(Exception):  # a missing package is reported below
            import_backend(backend)  # importing (TensorFlow...) is not building
        row = dict(network=network.name, backend=backend, metric=network.metric,
                   accuracy=float("nan"), speed=float("nan"), build_seconds=float("nan"),
                   duration=duration, status="ok")
        rows.append(row)
        stage = "build"
        try:
            case = network.make_case(duration, dt, seed)
            start = time.perf_counter()
            with _quiet_stdout():
                sim = Simulator(case.model, backend=backend, dt=dt, progress_bar=False,
                                **case.backend_kwargs(backend))
            row["build_seconds"] = time.perf_counter() - start
            sims[backend] = sim
            stage = "run"
            with _quiet_stdout():
                case.run(sim, n_steps(duration, dt))
            stage = "score"
            row["accuracy"] = case.score(_probe_data(sim, case.model))
            if not np.isfinite(row["accuracy"]):
                row["status"] = "ok (run too short to score)"
        except Exception as error:  # pylint: disable=broad-except
            # a backend that cannot run a network gets a row that says why
            row["status"] = f"{stage} failed: {first_line(error)}"
            if backend in sims:
                with _quiet_stdout(), contextlib.suppress(Exception):
                    sims.pop(backend).close()
        bar.update()

    times = {backend: [] for backend in sims}
    failed = {}
    for backend, sim in sims.items():
        try:  # NengoDL traces its graph again for a new number of steps
            with _quiet_stdout():
                sim.run_steps(n_steps(chunk, dt))
        except Exception as error:  # pylint: disable=broad-except
            failed[backend] = f"timing failed: {first_line(error)}"
    for _ in range(repeats):
        for backend, sim in sims.items():
            if backend in failed:
                continue
            try:
                start = time.perf_counter()
                with _quiet_stdout():
                    sim.run_steps(n_steps(chunk, dt))
                times[backend].append(time.perf_counter() - start)
                if hasattr(sim, "clear_probes"):
                    sim.clear_probes()  # keep memory flat over the repeats
            except Exception as error:  # pylint: disable=broad-except
                failed[backend] = f"timing failed: {first_line(error)}"
    for sim in sims.values():
        with _quiet_stdout():
            sim.close()
    for row in rows:
        backend = row["backend"]
        if backend in failed:
            row["status"] = failed[backend]
        elif times.get(backend):
            row["speed"] = n_steps(chunk, dt) * dt / float(np.median(times[backend]))
    return rows


def _cell(value, fmt):
    return "-" if value is None or not np.isfinite(value) else format(value, fmt)


def format_backend_table(rows):
    """The rows of `run_backend_table` as a plain-text table."""
    header = ["network", "backend", "figure", "value", "sim s/wall s", "build s", "status"]
    body = [
        [row["network"], row["backend"], row["metric"], _cell(row["accuracy"], ".4f"),
         _cell(row["speed"], ".3g"), _cell(row["build_seconds"], ".2f"), row["status"]]
        for row in rows
    ]
    return format_table(header, body)


def machine_note():
    """One line on the machine and its load, to print beside any timing."""
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # not every platform has it
        load = "unknown"
    versions = f"nengo {nengo.__version__}"
    for module in ("nengo_dl", "tensorflow", "nengo_loihi"):
        if module in sys.modules:
            versions += f", {module} {getattr(sys.modules[module], '__version__', '?')}"
    return (
        f"machine: {os.cpu_count()} CPUs, load average (1, 5, 15 min) {load}, "
        f"Python {platform.python_version()}, {versions}; wall-clock figures on a shared "
        f"machine are noisy: compare ratios measured in one run"
    )


class SignalPlayer:
    """A Node output that plays ``signal``, one row per step, from ``t = dt``.

    Unlike a ``PresentInput`` process, whose signal is fixed when the model
    is built, ``signal`` can be swapped between runs of one simulator.
    """

    def __init__(self, signal, dt):
        self.signal = np.asarray(signal)
        self.dt = dt

    def __call__(self, t):
        step = int(round(t / self.dt)) - 1
        return self.signal[min(max(step, 0), len(self.signal) - 1)]


def compare_batched(
    network="spiking-memory-relu",
    n_signals=32,
    duration=1.0,
    seed=0,
    dt=0.001,
    repeats=3,
    progress_bar=True,
):
    """NengoDL simulating ``n_signals`` inputs at once, against one by one.

    One model (``network``, built once per simulator) gets ``n_signals``
    different white-noise inputs:

    - nengo, one by one: the input Node plays each signal in turn
      (`SignalPlayer`), the simulator reset between runs;
    - NengoDL with ``minibatch_size=1``, one by one, each signal fed as data
      (``sim.run_steps(steps, data={stim: signal[None]})``), reset between;
    - NengoDL with ``minibatch_size=n_signals``: all signals fed at once
      (``data={stim: signals}``, shape ``(n_signals, steps, d)``), the median
      of ``repeats`` timed runs.

    Each NengoDL simulator runs once before it is timed (TensorFlow traces
    its graph on the first run). Only runs are timed, never builds.

    Parameters
    ----------
    network : str or BenchNetwork
        A batchable network (see `BenchNetwork`).
    n_signals : int
        Input signals, and the batched simulator's ``minibatch_size``.
    duration : float
        Simulated seconds per signal.
    seed : int
        Seed of the network; signal ``i`` has seed ``seed + 1 + i``.
    dt : float
        Simulator time step in seconds.
    repeats : int
        Timed runs of the batched simulator.
    progress_bar : bool
        Whether to show progress (on stderr).

    Returns
    -------
    dict
        ``seconds``: path -> wall seconds to simulate all signals (paths
        ``"nengo"``, ``"dl"`` and ``"dl-batched"``); ``scores``: path -> the
        network's accuracy figure for each signal; ``max_abs_diff``: the
        largest difference between a batched and a one-by-one NengoDL probe
        value, ``max_abs_value`` the largest such value, and ``equal``
        whether they agree to float32 tolerance (``rtol=1e-5`` and
        ``atol=1e-5 * max_abs_value``); ``speedup``: path -> its seconds over
        the batched seconds.
    """
    (network,) = check_networks([network]).values()
    if not network.batchable:
        raise ValidationError(
            f"{network.name} cannot run batched (it has run-dependent Python code)", "network"
        )
    n_signals = check_param(_N_SIGNALS, n_signals)
    duration = check_param(_DURATION, duration)
    dt = check_param(_DT, dt)
    repeats = check_param(_REPEATS, repeats)

    from tqdm import tqdm  # pylint: disable=import-outside-toplevel

    steps = n_steps(duration, dt)
    signals = np.stack(
        [network.make_signal(duration, dt, seed + 1 + i) for i in range(n_signals)]
    )
    player = SignalPlayer(signals[0], dt)
    case = network.build(player, signals[0], dt=dt, seed=seed)
    model, stim = case.model, case.stim
    bar = tqdm(total=3 * n_signals + repeats, desc="batched vs one by one",
               disable=not progress_bar, leave=False, file=sys.stderr)
    seconds, scores = {}, {}

    def timed(run):
        start = time.perf_counter()
        with _quiet_stdout():
            run()
        return time.perf_counter() - start

    # nengo, one by one
    with _quiet_stdout():
        sim = Simulator(model, backend="nengo", dt=dt, progress_bar=False)
    with sim:
        seconds["nengo"], scores["nengo"] = 0.0, []
        for signal in signals:
            player.signal = signal
            sim.reset()
            seconds["nengo"] += timed(lambda: sim.run_steps(steps))
            scores["nengo"].append(case.score(_probe_data(sim, model)))
            bar.update()

    # NengoDL, one by one
    with _quiet_stdout():
        sim = Simulator(model, backend="dl", dt=dt, minibatch_size=1, progress_bar=False)
    with sim:
        sim.run_steps(steps, data={stim: signals[:1]})  # TensorFlow traces the graph
        seconds["dl"], scores["dl"], single = 0.0, [], []
        for i in range(n_signals):
            sim.reset()
            seconds["dl"] += timed(
                lambda i=i: sim.run_steps(steps, data={stim: signals[i : i + 1]})
            )
            single.append(_probe_data(sim, model))
            scores["dl"].append(case.score(single[-1]))
            bar.update()

    # NengoDL, all at once
    with _quiet_stdout():
        sim = Simulator(model, backend="dl", dt=dt, minibatch_size=n_signals, progress_bar=False)
    with sim:
        sim.run_steps(steps, data={stim: signals})  # TensorFlow traces the graph
        times = []
        for _ in range(repeats):
            sim.reset()
            times.append(timed(lambda: sim.run_steps(steps, data={stim: signals})))
            bar.update()
        seconds["dl-batched"] = float(np.median(times))
        batched = [_probe_data(sim, model, index=i) for i in range(n_signals)]
        scores["dl-batched"] = [case.score(data) for data in batched]
        bar.update(n_signals)
    bar.close()

    differences = [
        np.max(np.abs(b[p] - s[p])) for b, s in zip(batched, single) for p in model.all_probes
    ]
    max_abs_value = max(np.max(np.abs(s[p])) for s in single for p in model.all_probes)
    max_abs_diff = float(max(differences))
    equal = all(
        np.allclose(b[p], s[p], rtol=1e-5, atol=1e-5 * max_abs_value)
        for b, s in zip(batched, single)
        for p in model.all_probes
    )
    return dict(
        network=network.name,
        n_signals=n_signals,
        duration=duration,
        seconds=seconds,
        scores=scores,
        max_abs_diff=max_abs_diff,
        max_abs_value=float(max_abs_value),
        equal=bool(equal),
        speedup={path: s / seconds["dl-batched"] for path, s in seconds.items()},
    )


def format_batched_table(result):
    """The result of `compare_batched` as a plain-text table."""
    n, duration = result["n_signals"], result["duration"]
    names = {
        "nengo": "nengo, one by one",
        "dl": "dl (minibatch_size=1), one by one",
        "dl-batched": f"dl (minibatch_size={n}), all at once",
    }
    rows = [
        [names[path], f"{seconds:.3f}", f"{n * duration / seconds:.3g}",
         f"{result['speedup'][path]:.2f}", f"{np.nanmean(result['scores'][path]):.4f}"]
        for path, seconds in result["seconds"].items()
    ]
    header = ["path", "wall s (runs only)", "signal s/wall s", "time / batched",
              "mean figure"]
    return format_table(header, rows)


def _comma_list(text):
    return [item.strip() for item in text.split(",") if item.strip()]


def register(subparsers):
    """Add ``bench backends`` to the ``nengo-lmu bench`` subparsers."""
    sub = subparsers.add_parser(
        "backends",
        help="each network on each backend: accuracy, speed, build time; "
        "NengoDL's batched simulation of many inputs",
        description="Each network on each backend, then NengoDL's batched simulation. "
        "The default run took 19 minutes on a loaded 2-core machine, most of it the "
        "learned readout on loihi-sim (nengo-loihi's emulator ran it at ~0.05 simulated "
        "seconds per wall second); --backends nengo,dl is a few minutes. The "
        "trained-cell-loihi row (added since) trains a psdigits model for 3 epochs and "
        "took 5 minutes more on its own, at load average 4.5.",
    )
    sub.add_argument(
        "--backends", type=_comma_list, default=list(DEFAULT_BACKENDS),
        help=f"comma-separated backends (default: {','.join(DEFAULT_BACKENDS)})",
    )
    sub.add_argument(
        "--networks", type=_comma_list, default=None,
        help=f"comma-separated networks (default: all of {','.join(BENCH_NETWORKS)})",
    )
    sub.add_argument(
        "--duration", type=float, default=None,
        help="simulated seconds of each accuracy run (default: each network's own: "
        + ", ".join(f"{n.name} {n.duration:g}" for n in BENCH_NETWORKS.values()) + ")",
    )
    sub.add_argument("--chunk", type=float, default=1.0,
                     help="simulated seconds per timed run (default: 1)")
    sub.add_argument("--repeats", type=int, default=5,
                     help="timed runs per backend, interleaved (default: 5)")
    sub.add_argument(
        "--batch", type=int, default=32,
        help="input signals NengoDL simulates at once, against one by one (default: 32; "
        "0 skips the comparison)",
    )
    sub.add_argument("--batch-network", default="spiking-memory-relu",
                     help="network of the batched comparison (default: spiking-memory-relu)")
    sub.add_argument("--batch-duration", type=float, default=2.0,
                     help="simulated seconds per signal in the batched comparison (default: 2)")
    sub.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    # nengo-lmu resolves every command's --backend; this one takes --backends
    sub.set_defaults(func=cmd_bench_backends, backend=None)
    return sub


def cmd_bench_backends(args):
    """Print the backends table, then the batched comparison (``--batch N``)."""
    networks = check_networks(args.networks)
    backends = check_backends(args.backends)
    check_param(_DURATION, args.duration)
    check_param(_CHUNK, args.chunk)
    check_param(_REPEATS, args.repeats)
    batch = check_param(IntParam("batch", low=0), args.batch)
    if batch > 0:
        (batch_network,) = check_networks([args.batch_network]).values()
        if not batch_network.batchable:
            raise ValidationError(
                f"{batch_network.name} cannot run batched; choose from "
                f"{[n for n, net in BENCH_NETWORKS.items() if net.batchable]}",
                "batch_network",
            )
        check_param(NumberParam("batch_duration", low=0, low_open=True), args.batch_duration)

    rows = run_backend_table(
        networks=list(networks.values()), backends=backends, duration=args.duration,
        seed=args.seed, chunk=args.chunk, repeats=args.repeats,
    )
    print(
        f"Networks on backends (seed {args.seed}; speed: {args.chunk:g} s chunks, median of "
        f"{args.repeats} runs interleaved across backends; build time apart)"
    )
    print(format_backend_table(rows))
    for network in networks.values():
        duration = network.duration if args.duration is None else args.duration
        print(f"  {network.name} ({duration:g} s): {network.description}")
    print(machine_note())

    if batch > 0:
        result = compare_batched(
            args.batch_network, n_signals=batch, duration=args.batch_duration, seed=args.seed,
        )
        print(
            f"\nNengoDL batching: {batch} white-noise inputs of {args.batch_duration:g} s "
            f"through {result['network']}, all at once vs one by one (runs only, "
            f"builds not timed)"
        )
        print(format_batched_table(result))
        print(f"batched_equals_one_by_one={result['equal']}")
        print(f"batched_max_abs_diff={result['max_abs_diff']:.3g}")
        print(f"batched_speedup_vs_dl_one_by_one={result['speedup']['dl']:.3g}")
        print(f"batched_speedup_vs_nengo_one_by_one={result['speedup']['nengo']:.3g}")
        print(machine_note())
