"""``nengo-lmu demo learn-delay``, the main demo: a spiking readout of an LMU memory learns a delay online with PES.

The setup of Nengo's LMU learning example: white noise (2 Hz, RMS 0.3) into
an order-8 memory of a one-second window; 1000 neurons learn, with PES, to
output the input delayed by 0.5 s; learning stops for the last fifth of the
run, over which the output is scored. For scale, the same memory read out
exactly (a fixed linear Legendre readout) scores ``nrmse_linear_readout``.
"""

import nengo
import numpy as np

from nengo_lmu.demos.online import (
    filtered_like_output,
    run_learning_then_test,
    save_learning_plot,
    white_noise_input,
)
from nengo_lmu.demos.partial import finish, scoring
from nengo_lmu.legendre import legendre_readout
from nengo_lmu.metrics import delayed, nrmse
from nengo_lmu.networks import LearnedReadout, LegendreMemory
from nengo_lmu.params import check_in_interval


def delay_learning_network(stim, target, order, theta, n_neurons, learning_rate, dt, seed):
    """The demo's network: ``stim`` into a memory, a `.LearnedReadout` learning ``target``.

    ``stim`` and ``target`` are the outputs of the input and target Nodes
    (a process, or a function of time). The returned network keeps its parts
    as attributes: ``stim`` and ``target`` (the Nodes), ``memory`` and
    ``readout``; the demo probes them, the GUI (`nengo_lmu.gui`) plots them.
    """
    with nengo.Network(label="delay learning demo", seed=seed) as model:
        model.stim = nengo.Node(stim, label="input")
        model.target = nengo.Node(target, label="target")
        model.memory = LegendreMemory(order, theta, dt=dt)
        nengo.Connection(model.stim, model.memory.input, synapse=None)
        model.readout = LearnedReadout(
            model.memory, n_neurons=n_neurons, learning_rate=learning_rate
        )
        model.readout.learn_from(model.target)
    return model


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

    Raises
    ------
    nengo_lmu.exceptions.DemoInterrupted
        On Ctrl-C during the run, after scoring (and plotting) the part run.
    """
    delay = float(check_in_interval("delay", delay, 0.0, theta))
    _, u, n_steps, learn_steps = white_noise_input(duration, freq, rms, test_fraction, dt, seed)
    target = delayed(u, int(round(delay / dt)))

    model = delay_learning_network(
        nengo.processes.PresentInput(u, presentation_time=dt),
        nengo.processes.PresentInput(target, presentation_time=dt),
        order, theta, n_neurons, learning_rate, dt, seed,
    )
    readout = model.readout
    with model:
        p_output = nengo.Probe(readout.output, synapse=probe_synapse)
        p_state = nengo.Probe(model.memory.output, synapse=None)

    sim, steps = run_learning_then_test(
        model, readout, learn_steps, n_steps, backend, dt, progress_bar
    )

    # the output went through the learned connections' synapse and the probe's
    # filter: the target and the linear readout are filtered alike. A run cut
    # short by Ctrl-C is scored over its ``steps`` (see `.partial`)
    filtered_target = filtered_like_output(target[:steps], readout, probe_synapse, dt)
    linear = filtered_like_output(
        sim.data[p_state][:steps] @ legendre_readout(order, delay / theta),
        readout, probe_synapse, dt,
    )
    output = sim.data[p_output][:steps, 0]
    learned = min(learn_steps, steps)
    test = slice(learn_steps, steps)
    last_learning = slice(max(learned - int(round(10 / dt)), 0), learned)
    with scoring(partial=steps < n_steps):
        metrics = {
            "n_neurons": n_neurons,
            "learning_rate": learning_rate,
            "learning_seconds": learned * dt,
            "test_seconds": max(steps - learn_steps, 0) * dt,
            "nrmse_last_10s_learning": float(
                nrmse(output[last_learning], filtered_target[last_learning, 0])
            ),
            "nrmse_linear_readout": float(nrmse(linear[test], filtered_target[test, 0])),
            "nrmse": float(nrmse(output[test], filtered_target[test, 0])),
        }
    saved = plot is not None and steps > 1
    if saved:
        save_learning_plot(
            plot, dt * np.arange(1, steps + 1), u[:steps, 0], filtered_target[:, 0], output,
            learn_steps * dt, delay,
        )
    return finish(metrics, steps, n_steps, dt, plot=plot if saved else None)
