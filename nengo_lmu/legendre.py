"""The Legendre delay system: its matrices, discretization, readout and kernel.

The memory of order ``d`` over a window ``theta`` obeys
``theta * dm/dt = A m + B u`` (Voelker, Kajić & Eliasmith, 2019) with

    A[i, j] = (2i + 1) * (-1 if i < j else (-1) ** (i - j + 1))
    B[i] = (2i + 1) * (-1) ** i

and the input ``r * theta`` seconds ago is read out with shifted Legendre
polynomials: ``u(t - r * theta) ~= sum_i P_i(2r - 1) m_i(t)``.

Everything here stays in state-space form. Going through a transfer function
(``tf2ss``, ``LinearFilter(num, den)``) loses the state's meaning and is
numerically unstable at high order.
"""

import warnings

import numpy as np
import scipy.linalg
import scipy.special
from nengo.exceptions import ValidationError

from nengo_lmu.exceptions import UnstableDiscretizationWarning
from nengo_lmu.params import (
    DISCRETIZE_METHOD,
    DT,
    N_STEPS,
    ORDER,
    THETA,
    check_in_interval,
    check_param,
)


def legendre_ab(order, theta):
    """The continuous-time Legendre delay system, with ``1 / theta`` folded in.

    Parameters
    ----------
    order : int
        Number of Legendre dimensions ``d`` (the memory's state size).
    theta : float
        Length of the window in seconds.

    Returns
    -------
    A : (order, order) ndarray
        State matrix, so that ``dm/dt = A m + B u``.
    B : (order, 1) ndarray
        Input matrix.

    Examples
    --------
    >>> A, B = legendre_ab(3, theta=0.5)
    >>> A * 0.5
    array([[-1., -1., -1.],
           [ 3., -3., -3.],
           [-5.,  5., -5.]])
    >>> (B * 0.5).ravel()
    array([ 1., -3.,  5.])
    """
    order = check_param(ORDER, order)
    theta = check_param(THETA, theta)

    i = np.arange(order)[:, None]
    j = np.arange(order)[None, :]
    sign = np.where(i < j, -1.0, (-1.0) ** (i - j + 1))
    A = (2 * i + 1) * sign / theta
    B = ((2 * i + 1) * (-1.0) ** i) / theta
    return A, B.reshape(order, 1)


def discretize(A, B, dt, method="zoh"):
    """Discretize ``dx/dt = A x + B u`` for steps of ``dt`` seconds.

    Parameters
    ----------
    A : (n, n) array_like
        Continuous state matrix.
    B : (n, k) array_like
        Continuous input matrix.
    dt : float
        Time step in seconds.
    method : {"zoh", "euler"}
        ``"zoh"`` (zero-order hold, the default) is exact for an input held
        constant over each step and stays stable for any ``dt`` and order.
        ``"euler"`` (forward Euler, ``Ad = I + dt A``) is cheap but becomes
        unstable when ``dt`` is large relative to ``theta / order**2``; a
        `.UnstableDiscretizationWarning` is raised when it does.

    Returns
    -------
    Ad : (n, n) ndarray
        Discrete state matrix, so that ``x[t] = Ad x[t - 1] + Bd u[t]``.
    Bd : (n, k) ndarray
        Discrete input matrix.

    Notes
    -----
    The zero-order hold is computed with one matrix exponential of the block
    matrix ``[[A, B], [0, 0]] * dt``, whose top blocks are ``[Ad, Bd]``.
    """
    dt = check_param(DT, dt)
    method = check_param(DISCRETIZE_METHOD, method)
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    if B.ndim == 1:
        B = B[:, None]
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValidationError(f"Must be a square matrix (got shape {A.shape})", "A")
    if B.ndim != 2 or B.shape[0] != A.shape[0]:
        raise ValidationError(
            f"Must have {A.shape[0]} rows to match A (got shape {B.shape})", "B"
        )
    n, k = B.shape

    if method == "zoh":
        block = np.zeros((n + k, n + k))
        block[:n, :n] = A * dt
        block[:n, n:] = B * dt
        expm = scipy.linalg.expm(block)
        return expm[:n, :n], expm[:n, n:]

    Ad = np.eye(n) + dt * A
    radius = np.max(np.abs(np.linalg.eigvals(Ad)))
    if radius > 1:
        warnings.warn(
            f"Euler discretization with dt={dt:g} is unstable (spectral radius "
            f"{radius:.8f} > 1): use method='zoh', a smaller dt, or a lower order",
            UnstableDiscretizationWarning,
        )
    return Ad, dt * B


def legendre_readout(order, r):
    """Weights that read the input ``r * theta`` seconds ago out of the memory.

    Parameters
    ----------
    order : int
        Number of Legendre dimensions.
    r : float or (n,) array_like
        Relative delays in ``[0, 1]``: 0 is the present, 1 the far end of the
        window.

    Returns
    -------
    P : (order,) or (n, order) ndarray
        Shifted Legendre polynomials ``P_i(2r - 1)``, so that
        ``u(t - r * theta) ~= P @ m(t)``.

    Examples
    --------
    >>> legendre_readout(4, 1.0)
    array([1., 1., 1., 1.])
    >>> legendre_readout(4, [0.0, 0.5])
    array([[ 1. , -1. ,  1. , -1. ],
           [ 1. ,  0. , -0.5,  0. ]])
    """
    order = check_param(ORDER, order)
    r = check_in_interval("r", r, 0.0, 1.0)
    x = 2 * r[..., None] - 1
    return scipy.special.eval_legendre(np.arange(order), x)


def impulse_response(order, theta, dt, n_steps, method="zoh"):
    """The discrete memory's response to a unit impulse at step 0.

    Row ``k`` is ``Ad**k @ Bd``, so the memory's state for any input sequence
    is the causal convolution ``m[t] = sum_k H[k] u[t - k]``: what a trainer
    that processes whole sequences in parallel needs instead of the recursion.

    Parameters
    ----------
    order : int
        Number of Legendre dimensions.
    theta : float
        Length of the window in seconds.
    dt : float
        Time step in seconds.
    n_steps : int
        Number of steps of the response.
    method : {"zoh", "euler"}
        Discretization method (see `.discretize`).

    Returns
    -------
    H : (n_steps, order) ndarray
    """
    n_steps = check_param(N_STEPS, n_steps)
    Ad, Bd = discretize(*legendre_ab(order, theta), dt, method=method)
    return matrices_impulse_response(Ad, Bd, n_steps)[:, :, 0]


def matrices_impulse_response(Ad, Bd, n_steps):
    """``Ad**k @ Bd`` for ``k`` in ``0 .. n_steps - 1``: ``(n_steps,) + Bd.shape``.

    The response of any discrete system ``m[t] = Ad m[t-1] + Bd u[t]`` (for
    example a memory's matrices as built, block-diagonal over its input
    dimensions); `impulse_response` is the Legendre memory's.
    """
    Bd = np.asarray(Bd, dtype=float).reshape(len(Ad), -1)
    H = np.empty((n_steps,) + Bd.shape)
    state = Bd
    for k in range(n_steps):
        H[k] = state
        state = Ad @ state
    return H
