"""Everything nengo-lmu knows about nengo-loihi and the Loihi chip, in one place.

- `nengo_lmu.loihi.checks`: what the chip can run, and the pre-flight check
  `nengo_lmu.Simulator` makes before building on ``"loihi-sim"`` or ``"loihi"``.
- `nengo_lmu.loihi.memory`: the Loihi-ready build of `.LegendreMemory`.
- `nengo_lmu.loihi.model`: options of nengo-loihi's build ``Model`` for one run
  (on-chip input filter, PES weight exponent and error scale).
- `nengo_lmu.loihi.pes`: the PES error step the chip's integer update divides exactly.
- `nengo_lmu.loihi.mapping`: how a network maps onto the chip (cores, weights).

No other module of nengo-lmu reaches into nengo-loihi's internals.
"""

from nengo_lmu.exceptions import LoihiPreflightError  # noqa: F401 (its old place)
from nengo_lmu.loihi.checks import (
    CHIP_NEURON_TYPES,
    INTERCEPT_LIMIT,
    LOIHI_DT,
    MAX_RATE_LIMIT,
    check_loihi_board,
    check_loihi_ready,
    chip_ensembles,
    chip_neuron_problem,
    intercepts_problem,
    max_rates_problem,
    preflight,
)
from nengo_lmu.loihi.mapping import loihi_mapping
from nengo_lmu.loihi.memory import LOIHI_MAX_RATES, Mirrored
from nengo_lmu.loihi.model import LOIHI_DELAY_STEPS, loihi_learning_options, loihi_model
from nengo_lmu.loihi.pes import loihi_pes_error_step
