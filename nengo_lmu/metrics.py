"""Error measures used by the demos, benchmarks and tests."""

import numpy as np


def rms(x, axis=None):
    """Root-mean-square of ``x``."""
    return np.sqrt(np.mean(np.square(x), axis=axis))


def nrmse(actual, target, axis=None):
    """RMS error of ``actual`` normalized by the RMS of ``target``."""
    actual = np.asarray(actual)
    target = np.asarray(target)
    return rms(actual - target, axis=axis) / rms(target, axis=axis)


def delayed(signal, steps):
    """``signal`` (time along axis 0) delayed by ``steps``, zero before that."""
    signal = np.asarray(signal)
    out = np.zeros_like(signal)
    out[steps:] = signal[: len(signal) - steps]
    return out
