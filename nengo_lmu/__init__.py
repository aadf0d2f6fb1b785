"""nengo-lmu: Legendre Memory Units as Nengo networks.

The math of the Legendre delay system lives here (`legendre_ab`,
`discretize`, `legendre_readout`, `impulse_response`), the networks in
`nengo_lmu.networks`, and `Simulator` runs a model on any supported backend.
The docs' "How the code is laid out" page says which subpackage holds what.
"""

import nengo as _nengo

from nengo_lmu import compat as _compat

_compat.check_nengo_version(_nengo.version.version_info)
_compat.quiet_tensorflow_startup()

# pylint: disable=wrong-import-position
from nengo_lmu import _deprecated
from nengo_lmu.backends import BACKENDS
from nengo_lmu.exceptions import (
    BackendUnavailableError,
    MissingExtraError,
    UnstableDiscretizationWarning,
)
from nengo_lmu.legendre import discretize, impulse_response, legendre_ab, legendre_readout
from nengo_lmu.simulator import Simulator
from nengo_lmu.version import version as __version__

_deprecated.install()  # the flat layout's module names, for one more release

__copyright__ = "2026, nengo-lmu contributors"
__license__ = "MIT"
