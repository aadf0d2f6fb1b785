"""The PES error step that nengo-loihi's integer weight update divides exactly."""

from nengo_lmu.loihi.model import PES_ERROR_SCALE
from nengo_lmu.params import check_param


def loihi_pes_error_step(pes_error_scale=None):
    """The error step (`.LearnedReadout`'s ``error_step``) that nengo-loihi divides exactly.

    nengo-loihi 1.1 sends the PES error to the chip multiplied by
    ``pes_error_scale`` and rounded to an integer. Each update adds
    the presynaptic trace (an integer) times that error to the weights, with
    the product divided by ``2 ** learn_overflow_bits(2)`` (4) by a right
    shift, which rounds down: every update then moves both halves of the
    learned output (nengo-loihi learns it as a rectified positive and a
    rectified negative half) down by 3/8 of the shift's unit on average. The
    halves' difference, which PES controls, is unbiased, but their sum
    drifts without bound, and once it is below zero the output has a dead
    zone around zero. An error that is a whole multiple of 4 integer steps
    divides exactly; this returns that step in the error's units.

    Parameters
    ----------
    pes_error_scale : float or None
        ``Model.pes_error_scale`` (> 0); None for nengo-loihi's default.

    Returns
    -------
    float
        ``2 ** learn_overflow_bits(2) / pes_error_scale``.
    """
    from nengo_loihi.builder import Model  # pylint: disable=import-outside-toplevel
    from nengo_loihi.builder.discretize import (  # pylint: disable=import-outside-toplevel
        learn_overflow_bits,
    )

    pes_error_scale = check_param(PES_ERROR_SCALE, pes_error_scale)
    if pes_error_scale is None:
        pes_error_scale = Model().pes_error_scale
    return 2 ** learn_overflow_bits(2) / pes_error_scale
