"""nengo-lmu: Legendre Memory Units as Nengo networks.

The math of the Legendre delay system lives here (`legendre_ab`,
`discretize`, `legendre_readout`, `impulse_response`), the networks in
`nengo_lmu.networks`, and `Simulator` runs a model on any supported backend.
"""

import nengo as _nengo

from nengo_lmu import compat as _compat

_compat.check_nengo_version(_nengo.version.version_info)
_compat.quiet_tensorflow_startup()

# pylint: disable=wrong-import-position
from nengo_lmu.legendre import (
    UnstableDiscretizationWarning,
    discretize,
    impulse_response,
    legendre_ab,
    legendre_readout,
)
from nengo_lmu.simulator import BACKENDS, BackendUnavailableError, Simulator
from nengo_lmu.version import version as __version__

__copyright__ = "2026, nengo-lmu contributors"
__license__ = "MIT"
