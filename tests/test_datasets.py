"""Generated data sets."""

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu.datasets import mackey_glass, psdigits


def test_mackey_glass_follows_its_equation(allclose):
    # sampled every step, the series satisfies its Euler recursion exactly
    x = mackey_glass(2000, step=0.1, sample_every=0.1, discard=0, x0=1.2)
    lag = 170
    past = x[:-lag - 1]
    rhs = 0.2 * past / (1 + past**10) - 0.1 * x[lag:-1]
    assert allclose(np.diff(x[lag:]) / 0.1, rhs, atol=1e-12)


def test_mackey_glass_is_the_usual_chaotic_series():
    x = mackey_glass(3000)
    assert 0.3 < x.min() < 0.6 and 1.2 < x.max() < 1.4  # its known range for tau=17
    # not periodic: no lag up to 500 samples repeats it
    correlations = [np.corrcoef(x[:-k], x[k:])[0, 1] for k in range(20, 500)]
    assert max(correlations) < 0.9


@pytest.mark.parametrize(
    "kwargs, attr",
    [(dict(n_samples=0), "n_samples"), (dict(n_samples=10, tau=0), "tau"), (dict(n_samples=10, step=-1), "step")],
)
def test_mackey_glass_bad_input(kwargs, attr):
    with pytest.raises(ValidationError) as info:
        mackey_glass(**kwargs)
    assert info.value.attr == attr


def test_psdigits_permutes_the_pixels_of_every_image_alike():
    from sklearn.datasets import load_digits

    (x_train, y_train), (x_test, y_test) = psdigits(perm_seed=3, test_fraction=0.2, seed=1)
    assert x_train.shape[1:] == (64, 1) and x_train.dtype == np.float32
    assert len(x_train) + len(x_test) == 1797 and abs(len(x_test) - 0.2 * 1797) < 1
    assert 0 <= x_train.min() and x_train.max() <= 1
    assert set(np.unique(y_test)) == set(range(10))

    # undoing the permutation gives back scikit-learn's images, each once
    images = load_digits().data / 16
    permutation = np.random.RandomState(3).permutation(64)
    restored = np.empty_like(x_train[:, :, 0])
    restored[:, permutation] = x_train[:, :, 0]
    matches = [np.flatnonzero(np.all(np.isclose(images, r), axis=1)) for r in restored[:20]]
    assert all(len(m) >= 1 for m in matches)
    assert all(load_digits().target[m[0]] == y for m, y in zip(matches, y_train[:20]))


def test_psdigits_is_reproducible_and_seeded():
    (a, _), _ = psdigits()
    (b, _), _ = psdigits()
    (c, _), _ = psdigits(perm_seed=1)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(
    "kwargs, attr",
    [(dict(perm_seed=-1), "perm_seed"), (dict(test_fraction=1.0), "test_fraction"), (dict(seed=-2), "seed")],
)
def test_psdigits_bad_input(kwargs, attr):
    with pytest.raises(ValidationError) as info:
        psdigits(**kwargs)
    assert info.value.attr == attr
