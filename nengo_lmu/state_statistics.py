"""How large the memory's state gets: what a neural memory is normalized by.

The Legendre state's dimensions have very different ranges for the same input
(low orders carry the slow content, high orders only the fast), so neurons
spread evenly over a fixed radius would waste most of their range on some
dimensions and clip others. These functions compute the state's covariance,
either for a given input process or for band-limited white input.
"""

import numpy as np


def state_covariance_from_process(Ad, Bd, process, dt, duration, seed=0):
    """Covariance of the state when driven by a (one-dimensional) ``process``.

    Runs the exact discrete system ``m[t] = Ad m[t-1] + Bd u[t]`` on
    ``duration`` seconds of the process and discards the first fifth as a
    transient.
    """
    n_steps = max(int(round(duration / dt)), 10)
    u = process.run_steps(n_steps, d=1, dt=dt, rng=np.random.RandomState(seed))[:, 0]
    state = np.zeros(Ad.shape[0])
    states = np.empty((n_steps, Ad.shape[0]))
    for t in range(n_steps):
        state = Ad @ state + Bd[:, 0] * u[t]
        states[t] = state
    return np.cov(states[n_steps // 5 :].T).reshape(Ad.shape)


def _frequency_responses(A, B, high, n_freqs):
    """``H(2 pi j f) = (sI - A)^-1 B`` on ``n_freqs`` frequencies in (0, high]."""
    freqs = np.linspace(0, high, n_freqs + 1)[1:]
    eye = np.eye(A.shape[0])
    return np.array([np.linalg.solve(2j * np.pi * f * eye - A, B[:, 0]) for f in freqs])


def bandlimited_state_covariance(A, B, rms, high, n_freqs=2000):
    """State covariance for white input of ``rms`` with a flat spectrum up to ``high`` Hz.

    Such an input (like ``nengo.processes.WhiteSignal``) gives the state the
    covariance ``rms**2 / high * integral_0^high Re(H H^*) df`` with
    ``H = (sI - A)^-1 B``.
    """
    H = _frequency_responses(A, B, high, n_freqs)
    return rms**2 * np.real(H.T @ H.conj()) / n_freqs


def bandlimited_state_std(A, B, rms, high, worst_case=False, n_freqs=2000):
    """State standard deviations for band-limited white input (see above).

    With ``worst_case=True``, returns per dimension the largest standard
    deviation over all cut-offs up to ``high``: a scale that no band-limited
    input of that RMS exceeds on average, at the price of some range for an
    input that uses only part of the band.
    """
    power = np.abs(_frequency_responses(A, B, high, n_freqs)) ** 2
    variance = rms**2 * np.cumsum(power, axis=0) / np.arange(1, n_freqs + 1)[:, None]
    return np.sqrt(variance.max(axis=0) if worst_case else variance[-1])


def whitening_transform(covariance, n_std):
    """``W`` such that ``x = W y`` gives ``y`` the covariance ``I / n_std**2``.

    ``W`` holds the covariance's principal axes, each scaled by ``n_std``
    times its spread, so ``y`` fits within radius 1 about ``n_std`` standard
    deviations out in every direction. Directions without spread (below
    1e-12 of the largest) are kept, with a tiny spread, so ``W`` is invertible.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    spread = np.sqrt(np.maximum(eigenvalues, 1e-12 * eigenvalues.max()))
    return eigenvectors @ np.diag(n_std * spread)
