"""Principle 3 of the NEF: a linear system implemented through a Lowpass synapse.

A population whose recurrent and input connections pass through a synapse
``Lowpass(tau)`` cannot integrate directly; principle 3 rewrites the desired
system ``(A, B)`` into transforms ``(A', B')`` such that the synapse's own
dynamics plus those transforms give back ``(A, B)``. ``Lowpass`` is the only
synapse every backend (Loihi included) runs, so this is the one we map onto.
"""

import numpy as np

from nengo_lmu.params import DT, TAU, check_param


def continuous_principle3(A, B, tau):
    """Map a continuous system onto ``Lowpass(tau)``: ``A' = tau A + I, B' = tau B``.

    Exact in continuous time; a simulator that steps the synapse with a time
    step ``dt`` makes an error of order ``dt / tau`` in the dynamics.
    """
    tau = check_param(TAU, tau)
    A = np.asarray(A, dtype=float)
    return tau * A + np.eye(A.shape[0]), tau * np.asarray(B, dtype=float)


def discrete_principle3(Ad, Bd, tau, dt):
    """Map a discrete system onto ``Lowpass(tau)`` stepped at ``dt``.

    With ``a = exp(-dt / tau)``, ``A' = (Ad - a I) / (1 - a)`` and
    ``B' = Bd / (1 - a)``. Nengo's zero-order-hold ``Lowpass`` then gives back
    ``x[t] = Ad x[t - 1] + Bd u[t - 1]`` exactly: the discrete system, one
    step (the synapse's) late.
    """
    tau = check_param(TAU, tau)
    dt = check_param(DT, dt)
    a = np.exp(-dt / tau)
    Ad = np.asarray(Ad, dtype=float)
    return (Ad - a * np.eye(Ad.shape[0])) / (1 - a), np.asarray(Bd, dtype=float) / (1 - a)
