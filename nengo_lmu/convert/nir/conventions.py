"""What both directions of the NIR conversion agree on: the package, the time constants.

NIR's equations are continuous; its consumers step them with forward Euler,
nengo steps them exactly (zero-order hold). `euler_tau` is the time constant
`nengo_lmu.convert.nir.to_nir` writes for a nengo one, `exact_tau` the one
`nengo_lmu.convert.nir.from_nir` reads back.
"""

import numpy as np


def nir_package():
    """The ``nir`` package, or an ImportError that says how to install it (an extra)."""
    try:
        import nir  # pylint: disable=import-outside-toplevel
    except ImportError as error:  # an optional extra
        raise ImportError(
            "NIR export needs the 'nir' package, which is not installed: "
            "pip install nengo-lmu[nir] (or 'make install' in a checkout)"
        ) from error
    return nir


def euler_tau(tau, dt):
    """The time constant whose forward-Euler step at ``dt`` is ``tau``'s exact step."""
    return dt / -np.expm1(-dt / np.asarray(tau, dtype=float))


def exact_tau(tau, dt):
    """The inverse of `euler_tau`: the exact time constant of an Euler one."""
    return -dt / np.log1p(-dt / np.asarray(tau, dtype=float))
