"""NengoDL's batched simulation of many inputs, against one by one (``bench backends --batch``).

NengoDL simulates many input signals at once (``minibatch_size``):
`compare_batched` runs ``n_signals`` inputs batched, and one by one on
NengoDL and on nengo, checks that the batched results equal the one-by-one
results, and reports the speed-up.
"""

import sys
import time

import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.benchmarks.backend_networks import check_networks, n_steps, probe_data
from nengo_lmu.params import DT, DURATION, REPEATS, IntParam, check_param
from nengo_lmu.simulator import Simulator
from nengo_lmu.utils.commands import format_table, quiet_stdout
from nengo_lmu.utils.progress import tqdm

_N_SIGNALS = IntParam("n_signals", low=1)


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
    duration = check_param(DURATION, duration)
    dt = check_param(DT, dt)
    repeats = check_param(REPEATS, repeats)


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
        with quiet_stdout():
            run()
        return time.perf_counter() - start

    # nengo, one by one
    with quiet_stdout():
        sim = Simulator(model, backend="nengo", dt=dt, progress_bar=False)
    with sim:
        seconds["nengo"], scores["nengo"] = 0.0, []
        for signal in signals:
            player.signal = signal
            sim.reset()
            seconds["nengo"] += timed(lambda: sim.run_steps(steps))
            scores["nengo"].append(case.score(probe_data(sim, model)))
            bar.update()

    # NengoDL, one by one
    with quiet_stdout():
        sim = Simulator(model, backend="dl", dt=dt, minibatch_size=1, progress_bar=False)
    with sim:
        sim.run_steps(steps, data={stim: signals[:1]})  # TensorFlow traces the graph
        seconds["dl"], scores["dl"], single = 0.0, [], []
        for i in range(n_signals):
            sim.reset()
            seconds["dl"] += timed(
                lambda i=i: sim.run_steps(steps, data={stim: signals[i : i + 1]})
            )
            single.append(probe_data(sim, model))
            scores["dl"].append(case.score(single[-1]))
            bar.update()

    # NengoDL, all at once
    with quiet_stdout():
        sim = Simulator(model, backend="dl", dt=dt, minibatch_size=n_signals, progress_bar=False)
    with sim:
        sim.run_steps(steps, data={stim: signals})  # TensorFlow traces the graph
        times = []
        for _ in range(repeats):
            sim.reset()
            times.append(timed(lambda: sim.run_steps(steps, data={stim: signals})))
            bar.update()
        seconds["dl-batched"] = float(np.median(times))
        batched = [probe_data(sim, model, index=i) for i in range(n_signals)]
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
