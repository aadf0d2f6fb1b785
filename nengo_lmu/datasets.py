"""Data the demos and benchmarks generate for themselves."""

import numpy as np
from nengo.params import IntParam, NumberParam

from nengo_lmu.validation import check_param

_N_SAMPLES = IntParam("n_samples", low=1)
_TAU = NumberParam("tau", low=0, low_open=True)
_STEP = NumberParam("step", low=0, low_open=True)


def mackey_glass(
    n_samples,
    tau=17.0,
    beta=0.2,
    gamma=0.1,
    power=10,
    step=0.1,
    sample_every=1.0,
    x0=1.2,
    discard=500,
):
    """The Mackey-Glass series: ``dx/dt = beta x(t - tau) / (1 + x(t - tau)**power) - gamma x``.

    Integrated with Euler steps of ``step`` time units from a constant history
    ``x0``, and sampled every ``sample_every`` time units after discarding the
    first ``discard`` samples (the transient). With ``tau=17`` it is chaotic:
    the benchmark of the LMU paper's prediction experiment.

    Returns
    -------
    (n_samples,) ndarray
    """
    n_samples = check_param(_N_SAMPLES, n_samples)
    tau = check_param(_TAU, tau)
    step = check_param(_STEP, step)
    per_sample = int(round(sample_every / step))
    lag = int(round(tau / step))
    n_steps = (n_samples + discard) * per_sample
    x = np.empty(lag + n_steps)
    x[: lag + 1] = x0
    for k in range(lag + 1, lag + n_steps):
        past = x[k - 1 - lag]
        x[k] = x[k - 1] + step * (beta * past / (1 + past**power) - gamma * x[k - 1])
    return x[lag:][::per_sample][discard : discard + n_samples]
