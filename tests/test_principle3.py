"""Principle 3 and the state statistics that size a neural memory."""

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu import discretize, legendre_ab
from nengo_lmu.principle3 import continuous_principle3, discrete_principle3
from nengo_lmu.state_statistics import (
    bandlimited_state_covariance,
    bandlimited_state_std,
    state_covariance_from_process,
)


def run_through_lowpass(A_prime, B_prime, tau, u, dt, Simulator):
    """Simulate a Node state fed back through Lowpass(tau) with principle-3 transforms."""
    with nengo.Network() as model:
        stim = nengo.Node(nengo.processes.PresentInput(u, presentation_time=dt))
        x = nengo.Node(size_in=A_prime.shape[0])
        nengo.Connection(stim, x, transform=B_prime, synapse=tau)
        nengo.Connection(x, x, transform=A_prime, synapse=tau)
        probe = nengo.Probe(x)
    with Simulator(model, dt=dt, progress_bar=False) as sim:
        sim.run_steps(len(u))
    return sim.data[probe]


def lti(Ad, Bd, u):
    m = np.zeros(Ad.shape[0])
    out = []
    for ut in u[:, 0]:
        m = Ad @ m + Bd[:, 0] * ut
        out.append(m)
    return np.array(out)


@pytest.mark.backends_lack(
    "loihi-sim", "loihi", reason="the system under test is Nodes only; nengo-loihi runs no "
    "network without neurons on the chip"
)
def test_discrete_principle3_is_exact_one_step_late(Simulator, rng, allclose):
    order, theta, tau, dt = 5, 0.2, 0.05, 0.001
    Ad, Bd = discretize(*legendre_ab(order, theta), dt)
    u = rng.randn(600, 1)
    x = run_through_lowpass(*discrete_principle3(Ad, Bd, tau, dt), tau, u, dt, Simulator)
    expected = lti(Ad, Bd, u)
    assert np.max(np.abs(expected)) > 0.1
    # float64 on nengo, float32 on NengoDL
    assert allclose(x[1:], expected[:-1], atol=2e-5, rtol=1e-4)


@pytest.mark.backends_lack(
    "loihi-sim", "loihi", reason="the system under test is Nodes only; nengo-loihi runs no "
    "network without neurons on the chip"
)
def test_continuous_principle3_error_shrinks_with_dt(Simulator, rng):
    order, theta, tau = 4, 0.5, 0.1
    A, B = legendre_ab(order, theta)
    errors = []
    for dt in (0.004, 0.001):
        n = int(round(1.0 / dt))
        u = np.repeat(rng.randn(n // 50 + 1, 1), 50, axis=0)[:n]
        x = run_through_lowpass(*continuous_principle3(A, B, tau), tau, u, dt, Simulator)
        expected = lti(*discretize(A, B, dt), u)
        errors.append(np.sqrt(np.mean((x[1:] - expected[:-1]) ** 2)) / np.std(expected))
    assert errors[1] < errors[0] < 0.2


def test_principle3_transforms(allclose):
    A, B = legendre_ab(3, 1.0)
    A_prime, B_prime = continuous_principle3(A, B, 0.1)
    assert allclose(A_prime, 0.1 * A + np.eye(3))
    assert allclose(B_prime, 0.1 * B)
    Ad, Bd = discretize(A, B, 0.001)
    a = np.exp(-0.001 / 0.1)
    A_prime, B_prime = discrete_principle3(Ad, Bd, 0.1, 0.001)
    assert allclose(a * np.eye(3) + (1 - a) * A_prime, Ad)
    assert allclose((1 - a) * B_prime, Bd)
    with pytest.raises(ValidationError, match="tau"):
        discrete_principle3(Ad, Bd, 0.0, 0.001)


def test_bandlimited_covariance_matches_simulation(allclose):
    order, theta, dt = 6, 1.0, 0.001
    A, B = legendre_ab(order, theta)
    Ad, Bd = discretize(A, B, dt)
    process = nengo.processes.WhiteSignal(200.0, high=1.0, rms=0.3)
    simulated = state_covariance_from_process(Ad, Bd, process, dt, 200.0)
    analytic = bandlimited_state_covariance(A, B, 0.3, 1.0)
    assert allclose(np.sqrt(np.diag(analytic)), np.sqrt(np.diag(simulated)), rtol=0.1)

    def correlation(covariance):
        std = np.sqrt(np.diag(covariance))
        return covariance / np.outer(std, std)

    assert allclose(correlation(analytic), correlation(simulated), atol=0.1)


def test_worst_case_std_bounds_every_band(allclose):
    A, B = legendre_ab(6, 1.0)
    bound = bandlimited_state_std(A, B, 0.3, 12.0, worst_case=True)
    for high in (0.2, 1.0, 3.0, 12.0):
        assert np.all(bandlimited_state_std(A, B, 0.3, high) <= bound * (1 + 1e-9))
    # the state's spread differs a lot between dimensions for a slow input
    slow = bandlimited_state_std(A, B, 0.3, 1.0)
    assert slow[0] > 5 * slow[-1]
