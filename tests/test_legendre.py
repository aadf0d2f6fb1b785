"""The Legendre delay system's math, checked against independent computations."""

import warnings

import numpy as np
import pytest
import scipy.interpolate
import scipy.signal
import scipy.special
from nengo.exceptions import ValidationError

from nengo_lmu import (
    UnstableDiscretizationWarning,
    discretize,
    impulse_response,
    legendre_ab,
    legendre_readout,
)


def transfer_function(A, B, C, s):
    """``C (sI - A)^-1 B`` at each complex frequency in ``s``."""
    eye = np.eye(A.shape[0])
    return np.array([C @ np.linalg.solve(si * eye - A, B[:, 0]) for si in s])


def as_real(z):
    """Complex values as stacked real and imaginary parts (for ``allclose``)."""
    z = np.asarray(z)
    return np.stack([z.real, z.imag])


def shifted_legendre(i, r):
    """The paper's explicit formula (its eq. 3) for ``P_i(2r - 1)``."""
    return (-1) ** i * sum(
        scipy.special.comb(i, j) * scipy.special.comb(i + j, j) * (-r) ** j
        for j in range(i + 1)
    )


@pytest.mark.filterwarnings("ignore::scipy.linalg.LinAlgWarning")  # scipy's pade
@pytest.mark.parametrize("order", [1, 2, 5, 8])
def test_delay_transfer_function_is_pade(order, allclose):
    # the memory read out at r=1 is the [order-1/order] Pade approximant of
    # exp(-theta s), as the LMU's derivation says
    theta = 0.7
    A, B = legendre_ab(order, theta)
    C = legendre_readout(order, 1.0)

    taylor = [(-theta) ** k / scipy.special.factorial(k) for k in range(2 * order)]
    num, den = scipy.interpolate.pade(taylor, order, order - 1)
    s = 2j * np.pi * np.array([0.1, 0.5, 1.0, 3.0])
    assert allclose(as_real(transfer_function(A, B, C, s)), as_real(num(s) / den(s)), rtol=1e-8)


def test_delay_error_within_pade_error(plt):
    # order 6 at theta * f = 1: the delay is right to about 0.7 %
    order, theta = 6, 1.0
    A, B = legendre_ab(order, theta)
    freqs = np.linspace(0.01, 2.0, 200) / theta
    s = 2j * np.pi * freqs
    H = transfer_function(A, B, legendre_readout(order, 1.0), s)
    error = np.abs(H - np.exp(-s * theta))

    plt.semilogy(freqs * theta, error)
    plt.xlabel("theta * frequency")
    plt.ylabel("|H(s) - exp(-theta s)|")

    at_one = np.interp(1.0, freqs * theta, error)
    assert 0.004 < at_one < 0.01
    # the error grows with frequency (below 1e-3 there is only rounding error)
    at = np.interp([0.25, 0.5, 1.0, 1.5], freqs * theta, error)
    assert np.all(np.diff(at) > 0)


def test_intermediate_delays_at_low_frequency(allclose):
    order, theta = 12, 1.0
    A, B = legendre_ab(order, theta)
    s = 2j * np.pi * np.array([0.2, 0.5, 1.0])
    for r in [0.0, 0.3, 0.5, 0.9]:
        H = transfer_function(A, B, legendre_readout(order, r), s)
        assert allclose(as_real(H), as_real(np.exp(-s * r * theta)), atol=1e-4)


def test_ab_scale_with_theta(allclose):
    A1, B1 = legendre_ab(7, 1.0)
    A2, B2 = legendre_ab(7, 0.25)
    assert allclose(A2, 4 * A1)
    assert allclose(B2, 4 * B1)
    assert B1.shape == (7, 1)


@pytest.mark.parametrize("order, theta, dt", [(1, 1.0, 0.001), (6, 0.1, 0.001), (32, 2.0, 0.01), (100, 1.0, 1e-4)])
def test_zoh_matches_cont2discrete(order, theta, dt, allclose):
    A, B = legendre_ab(order, theta)
    Ad, Bd = discretize(A, B, dt)
    Ad_ref, Bd_ref, _, _, _ = scipy.signal.cont2discrete(
        (A, B, np.eye(order), np.zeros((order, 1))), dt, method="zoh"
    )
    assert allclose(Ad, Ad_ref, atol=1e-10, rtol=0)
    assert allclose(Bd, Bd_ref, atol=1e-10, rtol=0)


def test_zoh_first_order_closed_form(allclose):
    theta, dt = 0.3, 0.01
    Ad, Bd = discretize(*legendre_ab(1, theta), dt)
    assert allclose(Ad, [[np.exp(-dt / theta)]], atol=1e-14)
    assert allclose(Bd, [[1 - np.exp(-dt / theta)]], atol=1e-14)


def test_euler_is_forward_difference(allclose):
    A, B = legendre_ab(5, 1.0)
    Ad, Bd = discretize(A, B, 1e-4, method="euler")
    assert allclose(Ad, np.eye(5) + 1e-4 * A)
    assert allclose(Bd, 1e-4 * B)


def test_euler_warns_only_when_unstable():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        discretize(*legendre_ab(6, 1.0), 0.001, method="euler")
    with pytest.warns(UnstableDiscretizationWarning, match="method='zoh'"):
        Ad, _ = discretize(*legendre_ab(6, 1.0), 0.5, method="euler")
    assert np.max(np.abs(np.linalg.eigvals(Ad))) > 1


@pytest.mark.parametrize("order, theta_over_dt", [(1024, 1e3), (1024, 1.0), (1024, 1e6), (6, 1e6)])
def test_zoh_stable_at_high_order_and_long_windows(order, theta_over_dt):
    Ad, Bd = discretize(*legendre_ab(order, theta_over_dt), 1.0)
    assert np.all(np.isfinite(Ad)) and np.all(np.isfinite(Bd))
    assert np.max(np.abs(np.linalg.eigvals(Ad))) < 1


def test_readout_is_shifted_legendre(allclose):
    r = np.linspace(0, 1, 11)
    P = legendre_readout(9, r)
    assert P.shape == (11, 9)
    expected = np.array([[shifted_legendre(i, ri) for i in range(9)] for ri in r])
    assert allclose(P, expected, atol=1e-12)
    assert allclose(P, scipy.special.eval_legendre(np.arange(9), 2 * r[:, None] - 1))


def test_readout_ends_of_window(allclose):
    assert allclose(legendre_readout(10, 1.0), np.ones(10))
    assert allclose(legendre_readout(10, 0.0), (-1.0) ** np.arange(10))
    assert legendre_readout(10, 0.5).shape == (10,)


def test_impulse_response_matches_dimpulse(allclose):
    order, theta, dt, n = 8, 0.5, 0.001, 700
    H = impulse_response(order, theta, dt, n)
    assert H.shape == (n, order)
    Ad, Bd = discretize(*legendre_ab(order, theta), dt)
    # scipy's x[k+1] = Ad x[k] + Bd u[k] lags our m[t] = Ad m[t-1] + Bd u[t] by a step
    _, (y,) = scipy.signal.dimpulse((Ad, Bd, np.eye(order), np.zeros((order, 1)), dt), n=n + 1)
    assert allclose(H, y[1:], atol=1e-12)


def test_impulse_response_convolution_equals_recursion(rng, allclose):
    order, theta, dt, n = 6, 0.1, 0.001, 400
    H = impulse_response(order, theta, dt, n)
    Ad, Bd = discretize(*legendre_ab(order, theta), dt)
    u = rng.randn(n)
    m = np.zeros(order)
    states = []
    for ut in u:
        m = Ad @ m + Bd[:, 0] * ut
        states.append(m)
    convolved = np.array([H[: t + 1][::-1].T @ u[: t + 1] for t in range(n)])
    assert allclose(convolved, np.array(states), atol=1e-10)


@pytest.mark.parametrize(
    "call, attr",
    [
        (lambda: legendre_ab(0, 1.0), "order"),
        (lambda: legendre_ab(2.5, 1.0), "order"),
        (lambda: legendre_ab(True, 1.0), "order"),
        (lambda: legendre_ab(4, 0.0), "theta"),
        (lambda: legendre_ab(4, -1.0), "theta"),
        (lambda: discretize(*legendre_ab(4, 1.0), 0.0), "dt"),
        (lambda: discretize(*legendre_ab(4, 1.0), -0.1), "dt"),
        (lambda: discretize(*legendre_ab(4, 1.0), 0.001, method="bilinear"), "method"),
        (lambda: discretize(np.ones((3, 2)), np.ones((3, 1)), 0.1), "A"),
        (lambda: discretize(np.eye(3), np.ones((2, 1)), 0.1), "B"),
        (lambda: legendre_readout(4, 1.5), "r"),
        (lambda: legendre_readout(4, [0.2, -0.1]), "r"),
        (lambda: legendre_readout(4, np.nan), "r"),
        (lambda: legendre_readout(0, 0.5), "order"),
        (lambda: impulse_response(4, 1.0, 0.001, 0), "n_steps"),
        (lambda: impulse_response(4, 1.0, 0.0, 10), "dt"),
    ],
)
def test_bad_input_raises_validation_error(call, attr):
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.attr == attr
    assert str(info.value).startswith(attr)
