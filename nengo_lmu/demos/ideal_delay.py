"""``nengo-lmu demo ideal-delay``: an ideal Legendre memory reconstructing delayed white noise."""


import nengo
import numpy as np

from nengo_lmu.demos.online import check_duration
from nengo_lmu.demos.partial import ChunkedRun, finish, scoring
from nengo_lmu.metrics import delayed, nrmse
from nengo_lmu.networks import LegendreMemory
from nengo_lmu.simulator import Simulator
from nengo_lmu.utils.commands import quiet_stdout
from nengo_lmu.utils.files import save_figure


def run_ideal_delay_demo(
    seed=0,
    backend=None,
    order=12,
    theta=1.0,
    freq=2.0,
    duration=10.0,
    dt=0.001,
    plot=None,
    progress_bar=True,
):
    """Delay a white-noise signal with an ideal `.LegendreMemory`.

    The memory reads out the input 1/4, 1/2, 3/4 and 1 window ago; each
    readout is compared with the exactly delayed input over the part of the
    run after the first window.

    Parameters
    ----------
    seed : int
        Seed of the input signal.
    backend : str
        Backend to run on (see `nengo_lmu.Simulator`).
    order, theta : int, float
        The memory's order and window (seconds).
    freq : float
        Cut-off frequency of the white-noise input (Hz); ``rms`` is 0.3.
    duration : float
        Length of the run in seconds.
    dt : float
        Simulator time step in seconds.
    plot : str or None
        Where to save the plot (any format matplotlib knows), or None.
    progress_bar : bool
        Whether to show the simulator's progress bar.

    Returns
    -------
    dict
        Name-to-value metrics, ``nrmse`` (the mean over delays) last.

    Raises
    ------
    nengo_lmu.exceptions.DemoInterrupted
        On Ctrl-C during the run, after scoring (and plotting) the part run.
    """
    check_duration(duration, freq)
    delays = theta * np.array([0.25, 0.5, 0.75, 1.0])
    with nengo.Network(label="ideal delay demo", seed=seed) as model:
        stim = nengo.Node(nengo.processes.WhiteSignal(duration, high=freq, rms=0.3))
        memory = LegendreMemory(order, theta, dt=dt)
        nengo.Connection(stim, memory.input, synapse=None)
        readout = memory.add_delays(delays)
        p_stim = nengo.Probe(stim)
        p_readout = nengo.Probe(readout)

    # the backends draw progress bars on stdout, which carries the results
    n_steps = int(round(duration / dt))
    with quiet_stdout():
        with Simulator(model, backend=backend, dt=dt, progress_bar=progress_bar) as sim, \
                ChunkedRun(sim, backend, n_steps, dt, progress_bar) as run:
            run.run_steps(n_steps)

    # a run cut short by Ctrl-C is scored over its ``steps`` (see `.partial`)
    steps = run.steps
    t = dt * np.arange(1, steps + 1)
    u = sim.data[p_stim][:steps, 0]
    readouts = sim.data[p_readout][:steps]
    delay_steps = np.round(delays / dt).astype(int)
    targets = np.stack([delayed(u, s) for s in delay_steps], axis=1)
    after_window = t > theta
    with scoring(partial=steps < n_steps):
        errors = nrmse(readouts[after_window], targets[after_window], axis=0)
        metrics = {f"nrmse_delay_{d:.2f}s": float(e) for d, e in zip(delays, errors)}
        metrics["nrmse"] = float(np.mean(errors))

    saved = plot is not None and steps > 1
    if saved:
        save_delay_plot(plot, t, u, targets, readouts, delays, order, theta)
    return finish(metrics, steps, n_steps, dt, plot=plot if saved else None)


def save_delay_plot(path, t, u, targets, readouts, delays, order, theta):
    """Plot the input, each exact delay and the memory's readout of it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    fig, axes = plt.subplots(len(delays) + 2, 1, sharex=True, figsize=(9, 9.5))
    axes[0].plot(t, u, color="k")
    axes[0].set_ylabel("input u(t)")
    axes[0].set_title(f"Ideal Legendre memory, order {order}, theta = {theta:g} s")
    for i, (delay, target, readout) in enumerate(zip(delays, targets.T, readouts.T)):
        ax = axes[i + 1]
        ax.plot(t, target, color="k", lw=2, alpha=0.4, label="exact delay")
        ax.plot(t, readout, color="C1", lw=1, label="memory readout")
        ax.set_ylabel(f"u(t - {delay:g})")
        axes[-1].plot(t, readout - target, color=f"C{i}", lw=1, label=f"{delay:g} s")
    axes[1].legend(loc="upper right", fontsize="small")
    axes[-1].set_ylabel("readout error")
    axes[-1].set_xlim(left=theta)
    axes[-1].legend(loc="upper right", fontsize="small", ncol=len(delays))
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
