"""The main demo: a spiking readout of an LMU memory learns a delay online with PES.

The setup of Nengo's LMU learning example: white noise (2 Hz, RMS 0.3) into
an order-8 memory of a one-second window; 1000 neurons learn, with PES, to
output the input delayed by 0.5 s; learning stops for the last fifth of the
run, over which the output is scored. For scale, the same memory read out
exactly (a fixed linear Legendre readout) scores ``nrmse_linear_readout``.
"""

import contextlib
import pathlib
import sys

import nengo
import numpy as np

from nengo.params import IntParam, NumberParam

from nengo_lmu.legendre import legendre_readout
from nengo_lmu.metrics import delayed, nrmse
from nengo_lmu.simulator import Simulator, resolve_backend
from nengo_lmu.validation import check_param

# the chip's synapse weight exponents are 4-bit signed integers
_PES_WGT_EXP = IntParam("pes_wgt_exp", low=-8, high=7, optional=True)
_PES_ERROR_SCALE = NumberParam("pes_error_scale", low=0, low_open=True, optional=True)
_DECODE_TAU = NumberParam("decode_tau", low=0, optional=True)


def loihi_learning_options(
    backend, dt=0.001, pes_wgt_exp=None, pes_error_scale=None, decode_tau=None
):
    """Simulator options that set nengo-loihi's PES parameters for one run.

    nengo-loihi 1.1 stores a learned connection's weights as 8-bit integers
    (about 127 steps either side of zero) whose step is set by the model's
    ``pes_wgt_exp`` (default 4): each step of 1 in it doubles both the
    largest weight and the step. The errors reach the chip multiplied by
    ``pes_error_scale`` (default 100), rounded to integers and clipped to
    [-127, 127]. The defaults suit weights near the largest a weight can be;
    a readout whose decoders are small (a small target, many neurons)
    uses only a few steps of the weight and learns mostly rounding noise:
    lower ``pes_wgt_exp`` until the largest expected decoder is a good part
    (but less than all) of the weight range. The chip's learning rate is
    folded into the size of its presynaptic traces (integers up to 127),
    which grow as ``pes_wgt_exp`` goes down; nengo-loihi warns ("Trace
    increment exceeds upper limit") if they clip.

    Parameters
    ----------
    backend : str
        The backend (see `nengo_lmu.Simulator`); only ``"loihi-sim"`` and
        ``"loihi"`` take these options.
    dt : float
        Simulator time step in seconds (the model's).
    pes_wgt_exp : int or None
        ``Model.pes_wgt_exp``, in [-8, 7]; None keeps nengo-loihi's default.
    pes_error_scale : float or None
        ``Model.pes_error_scale`` (> 0); None keeps nengo-loihi's default.
    decode_tau : float or None
        ``Model.decode_tau`` (seconds, >= 0): the time constant of the lowpass
        through which the chip receives every input from the host (on top of
        the connection's own synapse, which nengo-loihi applies on the host);
        None keeps nengo-loihi's default (5 ms).

    Returns
    -------
    dict
        Keyword arguments for `nengo_lmu.Simulator`: ``{"model": model}`` with
        a fresh ``nengo_loihi.builder.Model`` on a nengo-loihi backend when
        any parameter is given, else empty. Nothing global is changed.
    """
    pes_wgt_exp = check_param(_PES_WGT_EXP, pes_wgt_exp)
    pes_error_scale = check_param(_PES_ERROR_SCALE, pes_error_scale)
    decode_tau = check_param(_DECODE_TAU, decode_tau)
    if resolve_backend(backend) not in ("loihi-sim", "loihi"):
        return {}
    if pes_wgt_exp is None and pes_error_scale is None and decode_tau is None:
        return {}
    from nengo_loihi.builder import Model  # pylint: disable=import-outside-toplevel

    model = Model(dt=dt)
    if pes_wgt_exp is not None:
        model.pes_wgt_exp = pes_wgt_exp
    if pes_error_scale is not None:
        model.pes_error_scale = pes_error_scale
    if decode_tau is not None:
        model.decode_tau = decode_tau
    return {"model": model}


def loihi_pes_error_step(pes_error_scale=None):
    """The error step (`.LearnedReadout`'s ``error_step``) that nengo-loihi divides exactly.

    nengo-loihi 1.1 sends the PES error to the chip multiplied by
    ``pes_error_scale`` and rounded to an integer. Each update adds
    the presynaptic trace (an integer) times that error to the weights, with
    the product divided by ``2 ** learn_overflow_bits(2)`` (4) by a right
    shift, which rounds down: every update then moves both halves of the
    learned output (nengo-loihi learns it as a rectified positive and a
    rectified negative half) down by 3/8 of the shift's unit on average. The
    halves' difference, which PES controls, is unbiased, but their sum
    drifts without bound, and once it is below zero the output has a dead
    zone around zero. An error that is a whole multiple of 4 integer steps
    divides exactly; this returns that step in the error's units.

    Parameters
    ----------
    pes_error_scale : float or None
        ``Model.pes_error_scale`` (> 0); None for nengo-loihi's default.

    Returns
    -------
    float
        ``2 ** learn_overflow_bits(2) / pes_error_scale``.
    """
    from nengo_loihi.builder import Model  # pylint: disable=import-outside-toplevel
    from nengo_loihi.builder.discretize import (  # pylint: disable=import-outside-toplevel
        learn_overflow_bits,
    )

    pes_error_scale = check_param(_PES_ERROR_SCALE, pes_error_scale)
    if pes_error_scale is None:
        pes_error_scale = Model().pes_error_scale
    return 2 ** learn_overflow_bits(2) / pes_error_scale


def run_learning_then_test(
    model,
    readout,
    learn_steps,
    n_steps,
    backend,
    dt,
    progress_bar,
    anneal=None,
    simulator_options=None,
):
    """Simulate ``learn_steps`` with learning on, the rest with it off; return the simulator.

    ``anneal=(steps, scale)`` lowers the learning rate to ``scale`` times
    itself after ``steps`` (before ``learn_steps``). ``simulator_options``
    are passed to the simulator (see `.loihi_learning_options`).
    """
    options = dict(simulator_options or {})
    with contextlib.redirect_stdout(sys.stderr):  # progress bars; stdout has results
        with Simulator(
            model, backend=backend, dt=dt, progress_bar=progress_bar, **options
        ) as sim:
            if anneal is not None:
                sim.run_steps(anneal[0])
                readout.learning_rate_scale = anneal[1]
                sim.run_steps(learn_steps - anneal[0])
            else:
                sim.run_steps(learn_steps)
            readout.learning = False
            sim.run_steps(n_steps - learn_steps)
    return sim


def white_noise_input(duration, freq, rms, test_fraction, dt, seed):
    """The demos' input: white noise, and the steps of the run and of its learning part.

    Returns ``(process, u, n_steps, learn_steps)``: the ``WhiteSignal``, its
    ``(n_steps, 1)`` samples for ``seed``, the run's steps and the steps
    learned before the last ``test_fraction`` is scored with learning off.
    """
    n_steps = int(round(duration / dt))
    learn_steps = int(round((1 - test_fraction) * n_steps))
    process = nengo.processes.WhiteSignal(duration, high=freq, rms=rms, y0=0)
    u = process.run_steps(n_steps, dt=dt, rng=np.random.RandomState(seed))
    return process, u, n_steps, learn_steps


def filtered_like_output(signal, readout, probe_synapse, dt, input_synapse=None):
    """``signal`` through the learned connections' synapse and the probe's filter.

    ``input_synapse``, if given, filters it first: the filter between the
    signal the population receives and the population.
    """
    if input_synapse is not None:
        signal = input_synapse.filt(signal, dt=dt, y0=0)
    return probe_synapse.filt(readout.synapse.filt(signal, dt=dt, y0=0), dt=dt, y0=0)


def run_delay_learning_demo(
    seed=0,
    backend=None,
    order=8,
    theta=1.0,
    delay=0.5,
    freq=2.0,
    rms=0.3,
    duration=100.0,
    test_fraction=0.2,
    n_neurons=1000,
    learning_rate=1e-3,
    dt=0.001,
    probe_synapse=nengo.Lowpass(0.01),
    plot=None,
    progress_bar=True,
):
    """Learn a delay online from an ideal `.LegendreMemory`; score it with learning off.

    Parameters
    ----------
    seed : int
        Seed of the input signal and of the network.
    backend : str
        Backend to run on (see `nengo_lmu.Simulator`).
    order, theta : int, float
        The memory's order and window (seconds).
    delay : float
        The delay to learn (seconds, at most ``theta``).
    freq, rms : float
        Cut-off frequency (Hz) and RMS of the white-noise input.
    duration : float
        Length of the run in seconds.
    test_fraction : float
        Final fraction of the run with learning off, over which it is scored.
    n_neurons, learning_rate : int, float
        Size and PES learning rate of the `.LearnedReadout`.
    dt : float
        Simulator time step in seconds.
    probe_synapse : nengo.synapses.Synapse
        Filter through which the output is read (spikes must be filtered to
        be read); the target and the linear readout are filtered the same.
    plot : str or None
        Where to save the plot, or None.
    progress_bar : bool
        Whether to show the simulator's progress bar (on stderr).

    Returns
    -------
    dict
        Name-to-value metrics; ``nrmse`` (over the test period) last.
    """
    # pylint: disable=import-outside-toplevel
    from nengo_lmu.networks import LearnedReadout, LegendreMemory

    _, u, n_steps, learn_steps = white_noise_input(duration, freq, rms, test_fraction, dt, seed)
    target = delayed(u, int(round(delay / dt)))

    with nengo.Network(label="delay learning demo", seed=seed) as model:
        stim = nengo.Node(nengo.processes.PresentInput(u, presentation_time=dt))
        target_node = nengo.Node(nengo.processes.PresentInput(target, presentation_time=dt))
        memory = LegendreMemory(order, theta, dt=dt)
        nengo.Connection(stim, memory.input, synapse=None)
        readout = LearnedReadout(memory, n_neurons=n_neurons, learning_rate=learning_rate)
        readout.learn_from(target_node)
        p_output = nengo.Probe(readout.output, synapse=probe_synapse)
        p_state = nengo.Probe(memory.output, synapse=None)

    sim = run_learning_then_test(model, readout, learn_steps, n_steps, backend, dt, progress_bar)

    # the output went through the learned connections' synapse and the probe's
    # filter: the target and the linear readout are filtered alike
    filtered_target = filtered_like_output(target, readout, probe_synapse, dt)
    linear = filtered_like_output(
        sim.data[p_state] @ legendre_readout(order, delay / theta), readout, probe_synapse, dt
    )
    output = sim.data[p_output][:, 0]
    test = slice(learn_steps, n_steps)
    last_learning = slice(max(learn_steps - int(round(10 / dt)), 0), learn_steps)
    metrics = {
        "n_neurons": n_neurons,
        "learning_rate": learning_rate,
        "learning_seconds": learn_steps * dt,
        "test_seconds": (n_steps - learn_steps) * dt,
        "nrmse_last_10s_learning": float(
            nrmse(output[last_learning], filtered_target[last_learning, 0])
        ),
        "nrmse_linear_readout": float(nrmse(linear[test], filtered_target[test, 0])),
        "nrmse": float(nrmse(output[test], filtered_target[test, 0])),
    }
    if plot is not None:
        save_learning_plot(
            plot, sim.trange(), u[:, 0], filtered_target[:, 0], output, learn_steps * dt, delay
        )
    return metrics


def save_learning_plot(path, t, u, target, output, learning_off, delay, target_label=None):
    """Plot the signal, target and output around the end of learning, and the error."""
    if target_label is None:
        target_label = f"target u(t - {delay:g})"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    fig, (ax_early, ax_late, ax_error) = plt.subplots(3, 1, figsize=(10, 9))
    for ax, start, title in (
        (ax_early, min(2.0, t[-1]), "early in learning"),
        (ax_late, max(learning_off - 4.0, 0.0), "before and after learning stops"),
    ):
        window = (t >= start) & (t < start + 8.0)
        ax.plot(t[window], u[window], color="0.7", lw=1, label="input u(t)")
        ax.plot(t[window], target[window], "k", lw=2, alpha=0.5, label=target_label)
        ax.plot(t[window], output[window], "C1", lw=1, label="learned output")
        if start <= learning_off < start + 8.0:
            ax.axvline(learning_off, color="C3", ls="--", label="learning off")
        ax.set_title(title)
        ax.set_ylabel("value")
        ax.legend(loc="upper right", fontsize="small", ncol=4)
    # RMS error in 1-second bins over the whole run
    dt = t[1] - t[0]
    per_bin = max(int(round(1.0 / dt)), 1)
    n_bins = len(t) // per_bin
    error = (output - target)[: n_bins * per_bin].reshape(n_bins, per_bin)
    ax_error.semilogy(t[per_bin - 1 :: per_bin][:n_bins], np.sqrt(np.mean(error**2, axis=1)))
    ax_error.axvline(learning_off, color="C3", ls="--")
    ax_error.set_xlabel("time (s)")
    ax_error.set_ylabel("RMS error per second")
    ax_error.set_title("error over the run (learning off after the dashed line)")
    fig.tight_layout()
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def run_mackey_glass_demo(
    seed=0,
    backend=None,
    order=12,
    window=100,
    ahead=15,
    duration=100.0,
    test_fraction=0.2,
    sample_time=0.01,
    n_neurons=1000,
    learning_rate=1e-3,
    dt=0.001,
    probe_synapse=nengo.Lowpass(0.01),
    plot=None,
    progress_bar=True,
):
    """Predict the Mackey-Glass series ``ahead`` samples on, learning online.

    A prediction made now can only be scored ``ahead`` samples later, so
    while learning, the memory sees the series ``ahead`` samples late and the
    readout learns to output the present sample from it; with learning off,
    the memory sees the present and the same weights predict the future. The
    score is over the test samples (after one window of settling), next to
    persistence (predicting that the series stays where it is).

    Parameters
    ----------
    seed : int
        Seed of the network.
    backend : str
        Backend to run on (see `nengo_lmu.Simulator`).
    order : int
        Order of the memory.
    window : int
        The memory's window, in samples.
    ahead : int
        How many samples ahead to predict.
    duration : float
        Length of the run in seconds.
    test_fraction : float
        Final fraction of the run with learning off, over which it is scored.
    sample_time : float
        Seconds each sample is presented for (the run presents
        ``duration / sample_time`` samples).
    n_neurons, learning_rate : int, float
        Size and PES learning rate of the `.LearnedReadout`.
    dt : float
        Simulator time step in seconds.
    probe_synapse : nengo.synapses.Synapse
        Filter through which the output is read; the targets are filtered alike.
    plot : str or None
        Where to save the plot, or None.
    progress_bar : bool
        Whether to show the simulator's progress bar (on stderr).

    Returns
    -------
    dict
        Name-to-value metrics; ``nrmse`` (over the test samples) last.
    """
    # pylint: disable=import-outside-toplevel
    from nengo_lmu.datasets import mackey_glass
    from nengo_lmu.networks import LearnedReadout, LegendreMemory

    n_samples = int(round(duration / sample_time))
    n_learn = int(round((1 - test_fraction) * n_samples))
    n_test = n_samples - n_learn
    series = mackey_glass(n_samples + ahead)
    series = (series - series.mean()) / (3 * series.std())  # mostly within [-1, 1]
    per_sample = int(round(sample_time / dt))
    u = np.repeat(series, per_sample)
    shift = ahead * per_sample
    n_steps = n_samples * per_sample
    learn_steps = n_learn * per_sample
    theta = window * sample_time

    def sample(t, lag=0):
        return u[max(int(round(t / dt)) - 1 - lag, 0)]

    with nengo.Network(label="Mackey-Glass demo", seed=seed) as model:
        now = nengo.Node(sample, label="series now")
        memory = LegendreMemory(order, theta, dt=dt)
        readout = LearnedReadout(memory, n_neurons=n_neurons, learning_rate=learning_rate)
        readout.learn_from(now)
        # late by `ahead` samples while learning; the present afterwards
        feed = nengo.Node(lambda t: sample(t, shift if readout.learning else 0), label="feed")
        nengo.Connection(feed, memory.input, synapse=None)
        p_output = nengo.Probe(readout.output, synapse=probe_synapse)

    sim = run_learning_then_test(model, readout, learn_steps, n_steps, backend, dt, progress_bar)
    future = filtered_like_output(u[shift : shift + n_steps], readout, probe_synapse, dt)
    present = filtered_like_output(u[:n_steps], readout, probe_synapse, dt)
    output = sim.data[p_output][:, 0]
    test = slice(learn_steps + int(round(theta / dt)), n_steps)
    metrics = {
        "n_neurons": n_neurons,
        "learning_samples": n_learn,
        "test_samples": n_test,
        "ahead_samples": ahead,
        "persistence_nrmse": float(nrmse(present[test], future[test])),
        "nrmse": float(nrmse(output[test], future[test])),
    }
    if plot is not None:
        save_prediction_plot(plot, sim.trange()[test], future[test], output[test],
                             present[test], ahead)
    return metrics


def save_prediction_plot(path, t, future, output, present, ahead):
    """Plot the series ``ahead`` samples on, the prediction and persistence."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    window = t < t[0] + 6.0
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(t[window], future[window], "k", lw=2, alpha=0.5, label=f"series {ahead} samples on")
    ax.plot(t[window], output[window], "C1", label="learned prediction")
    ax.plot(t[window], present[window], color="0.6", ls=":", label="persistence (series now)")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("normalized value")
    ax.set_title("Online Mackey-Glass prediction, learning off")
    ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
