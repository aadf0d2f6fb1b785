"""Generated data sets."""

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu.datasets import mackey_glass


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
