"""Reusable LMU networks, installed as ``nengo_lmu.networks``.

Like `nengo.networks`, each network is a `nengo.Network` subclass with
passthrough ``input`` and ``output`` Nodes, so it composes into larger models.
"""

from .memory import LegendreMemory, default_lead, default_tuning
from .cell import LMUCell, Orthogonal
from .learning import LearnedReadout, PairEncoders, least_squares_window_readout
