"""Data sets: generated series and permuted-pixel sequence classification."""

import numpy as np
from nengo.params import IntParam, NumberParam

from nengo_lmu.validation import check_param

_N_SAMPLES = IntParam("n_samples", low=1)
_TAU = NumberParam("tau", low=0, low_open=True)
_STEP = NumberParam("step", low=0, low_open=True)
_TEST_FRACTION = NumberParam("test_fraction", low=0, high=1, low_open=True, high_open=True)
_PERM_SEED = IntParam("perm_seed", low=0)
_SEED = IntParam("seed", low=0)


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


def psdigits(perm_seed=0, test_fraction=0.25, seed=0):
    """Permuted sequential digits: scikit-learn's 8x8 digits as 64-step sequences.

    The small, offline counterpart of psMNIST: each image's 64 pixels, scaled to
    [0, 1], are presented one per time step in an order fixed by ``perm_seed``
    (the same order for every image, as in psMNIST). The data ship with
    scikit-learn, so nothing is downloaded.

    Parameters
    ----------
    perm_seed : int
        Seed of the pixel permutation, ``np.random.RandomState(perm_seed).permutation(64)``.
    test_fraction : float
        Fraction of the 1797 images held out for testing, in (0, 1); the split is
        stratified, so each class keeps its share.
    seed : int
        Seed of the train/test split.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_*`` are float32 arrays of shape ``(n, 64, 1)``; ``y_*`` are int arrays
        of shape ``(n,)`` with the digit, 0 to 9.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = psdigits()
    >>> x_train.shape, x_test.shape
    ((1347, 64, 1), (450, 64, 1))
    """
    perm_seed = check_param(_PERM_SEED, perm_seed)
    test_fraction = check_param(_TEST_FRACTION, test_fraction)
    seed = check_param(_SEED, seed)
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    permutation = np.random.RandomState(perm_seed).permutation(digits.data.shape[1])
    x = (digits.data[:, permutation] / 16.0).astype(np.float32)[:, :, None]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    return (x_train, y_train), (x_test, y_test)


#: Sequence classification data sets by name, as the ``train`` command knows them.
#: Each is a function returning ``(x_train, y_train), (x_test, y_test)`` with ``x``
#: float32 of shape ``(n, steps, 1)`` in [0, 1] and ``y`` integer class labels.
SEQUENCE_DATASETS = {"psdigits": psdigits}
