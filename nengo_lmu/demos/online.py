"""What the online-learning demos share: their input, their run, how they score and plot.

Each demo learns with PES for the first part of a run, then scores the
learned output over the rest with learning off; the targets go through the
same filters as the output (`filtered_like_output`).
"""


import nengo
import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.compat import filt
from nengo_lmu.demos.partial import ChunkedRun
from nengo_lmu.params import DURATION, TEST_FRACTION, check_param
from nengo_lmu.simulator import Simulator
from nengo_lmu.utils.commands import quiet_stdout
from nengo_lmu.utils.files import save_figure


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
    """Simulate ``learn_steps`` with learning on, the rest with it off.

    ``anneal=(steps, scale)`` lowers the learning rate to ``scale`` times
    itself after ``steps`` (before ``learn_steps``). ``simulator_options``
    are passed to the simulator (see `.loihi_learning_options`).

    Returns ``(sim, steps)``: the simulator and the steps it completed, which
    are ``n_steps`` unless Ctrl-C cut the run short (see `.ChunkedRun`).
    """
    options = dict(simulator_options or {})
    with quiet_stdout():
        with Simulator(
            model, backend=backend, dt=dt, progress_bar=progress_bar, **options
        ) as sim, ChunkedRun(sim, backend, n_steps, dt, progress_bar) as run:
            if anneal is not None:
                run.run_steps(anneal[0])
                readout.learning_rate_scale = anneal[1]
                run.run_steps(learn_steps - anneal[0])
            else:
                run.run_steps(learn_steps)
            readout.learning = False
            run.run_steps(n_steps - learn_steps)
    return sim, run.steps


def check_duration(duration, freq):
    """Check that a white-noise input of ``freq`` Hz can last ``duration`` seconds.

    nengo's ``WhiteSignal`` needs a period of at least one cycle of its
    cut-off; its own error would name ``WhiteSignal.high``, not what to change.
    """
    duration = check_param(DURATION, duration)
    if duration * freq < 1:
        raise ValidationError(
            f"Must be at least {1 / freq:g} s (one cycle of the {freq:g} Hz "
            f"input) (got {duration:g})", attr="duration",
        )


def white_noise_input(duration, freq, rms, test_fraction, dt, seed):
    """The demos' input: white noise, and the steps of the run and of its learning part.

    Returns ``(process, u, n_steps, learn_steps)``: the ``WhiteSignal``, its
    ``(n_steps, 1)`` samples for ``seed``, the run's steps and the steps
    learned before the last ``test_fraction`` is scored with learning off.
    """
    check_duration(duration, freq)
    test_fraction = check_param(TEST_FRACTION, test_fraction)
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
        signal = filt(input_synapse, signal, dt)
    return filt(probe_synapse, filt(readout.synapse, signal, dt), dt)


def save_learning_plot(path, t, u, target, output, learning_off, delay, target_label=None):
    """Plot the signal, target and output around the end of learning, and the error."""
    if target_label is None:
        target_label = f"target u(t - {delay:g})"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    fig, (ax_early, ax_late, ax_error) = plt.subplots(3, 1, figsize=(10, 9))
    late = (max(learning_off - 4.0, 0.0), "before and after learning stops")
    interrupted = t[-1] < learning_off  # Ctrl-C while learning: plot what was run
    if interrupted:
        late = (max(t[-1] - 8.0, 0.0), "the last seconds run (interrupted while learning)")
    # from 2 s, or earlier when fewer than 10 s were run
    early = (min(2.0, max(t[-1] - 8.0, 0.0)), "early in learning")
    for ax, (start, title) in ((ax_early, early),
                               (ax_late, late)):
        window = (t >= start) & (t < start + 8.0)
        ax.plot(t[window], u[window], color="0.7", lw=1, label="input u(t)")
        ax.plot(t[window], target[window], "k", lw=2, alpha=0.5, label=target_label)
        ax.plot(t[window], output[window], "C1", lw=1, label="learned output")
        if start <= learning_off < start + 8.0 and not interrupted:
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
    if not interrupted:
        ax_error.axvline(learning_off, color="C3", ls="--")
    ax_error.set_xlabel("time (s)")
    ax_error.set_ylabel("RMS error per second")
    ax_error.set_title("error over the run (learning off after the dashed line)")
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
