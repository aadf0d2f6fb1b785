"""``nengo-lmu demo mackey-glass``: predict the Mackey-Glass series 15 samples ahead, learning online.

The corrected task: the target is the future value (the paper's code predicted
the past, KerasLMU issue 14).
"""


import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.datasets import mackey_glass
from nengo_lmu.demos.online import filtered_like_output, run_learning_then_test
from nengo_lmu.demos.partial import finish, scoring
from nengo_lmu.metrics import nrmse
from nengo_lmu.networks import LearnedReadout, LegendreMemory
from nengo_lmu.params import TEST_FRACTION, check_param
from nengo_lmu.utils.files import save_figure


def series_steps(n_samples, per_sample):
    """The normalized Mackey-Glass series, each of ``n_samples`` repeated ``per_sample`` steps."""
    series = mackey_glass(n_samples)
    series = (series - series.mean()) / (3 * series.std())  # mostly within [-1, 1]
    return np.repeat(series, per_sample)


def mackey_glass_network(sample, shift, order, theta, n_neurons, learning_rate, dt, seed):
    """The demo's network: a memory of the series, a `.LearnedReadout` of its present value.

    ``sample(t, lag)`` is the series at time ``t``, ``lag`` steps late. While
    ``readout.learning``, the memory sees it ``shift`` steps late; otherwise
    the present. The returned network keeps its parts as attributes: ``now``
    (the series now, the target), ``feed`` (what the memory sees), ``memory``
    and ``readout``; the demo probes them, the GUI (`nengo_lmu.gui`) plots them.
    """
    with nengo.Network(label="Mackey-Glass demo", seed=seed) as model:
        model.now = nengo.Node(sample, label="series now")
        model.memory = LegendreMemory(order, theta, dt=dt)
        readout = model.readout = LearnedReadout(
            model.memory, n_neurons=n_neurons, learning_rate=learning_rate
        )
        readout.learn_from(model.now)
        # late by `shift` steps while learning; the present afterwards
        model.feed = nengo.Node(
            lambda t: sample(t, shift if readout.learning else 0), label="feed"
        )
        nengo.Connection(model.feed, model.memory.input, synapse=None)
    return model


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

    Raises
    ------
    nengo_lmu.exceptions.DemoInterrupted
        On Ctrl-C during the run, after scoring (and plotting) the part run.
    """
    test_fraction = check_param(TEST_FRACTION, test_fraction)
    n_samples = int(round(duration / sample_time))
    n_learn = int(round((1 - test_fraction) * n_samples))
    n_test = n_samples - n_learn
    per_sample = int(round(sample_time / dt))
    u = series_steps(n_samples + ahead, per_sample)
    shift = ahead * per_sample
    n_steps = n_samples * per_sample
    learn_steps = n_learn * per_sample
    theta = window * sample_time
    if n_steps <= learn_steps + int(round(theta / dt)):
        # the score starts one window into the test period: it would be empty
        raise ValidationError(
            f"Must be more than {theta / test_fraction:g} s, so that the test period "
            f"(the last {test_fraction:g} of the run) outlasts the memory's window of "
            f"{theta:g} s (got {duration:g})", attr="duration",
        )

    def sample(t, lag=0):
        return u[max(int(round(t / dt)) - 1 - lag, 0)]

    model = mackey_glass_network(sample, shift, order, theta, n_neurons, learning_rate, dt, seed)
    readout = model.readout
    with model:
        p_output = nengo.Probe(readout.output, synapse=probe_synapse)

    sim, steps = run_learning_then_test(
        model, readout, learn_steps, n_steps, backend, dt, progress_bar
    )
    # a run cut short by Ctrl-C is scored over its ``steps`` (see `.partial`)
    future = filtered_like_output(u[shift : shift + steps], readout, probe_synapse, dt)
    present = filtered_like_output(u[:steps], readout, probe_synapse, dt)
    output = sim.data[p_output][:steps, 0]
    test = slice(learn_steps + int(round(theta / dt)), steps)
    with scoring(partial=steps < n_steps):
        metrics = {
            "n_neurons": n_neurons,
            "learning_samples": min(n_learn, steps // per_sample),
            "test_samples": max(steps // per_sample - n_learn, 0),
            "ahead_samples": ahead,
            "persistence_nrmse": float(nrmse(present[test], future[test])),
            "nrmse": float(nrmse(output[test], future[test])),
        }
    saved = plot is not None and len(output[test])
    if saved:
        save_prediction_plot(plot, dt * np.arange(1, steps + 1)[test], future[test],
                             output[test], present[test], ahead)
    return finish(metrics, steps, n_steps, dt, plot=plot if saved else None)


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
    save_figure(fig, path)
    plt.close(fig)
