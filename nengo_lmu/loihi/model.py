"""What nengo-loihi's build ``Model`` is given: one simulator's chip options.

Each function returns options for a single simulator; nothing here changes
nengo-loihi's defaults.
"""

import functools

import numpy as np
from nengo.params import EnumParam

from nengo_lmu.params import DECODE_TAU, IntParam, NumberParam, check_param
from nengo_lmu.simulator import import_backend_module, is_loihi_backend, resolve_backend

#: Steps by which nengo-loihi delays a host input's effect on a host readout
#: (host to chip, chip to host); `nengo_lmu.training.run_sequences` reads a
#: sequence's output this many steps after its last element on Loihi backends.
LOIHI_DELAY_STEPS = 2

# the chip's synapse weight exponents are 4-bit signed integers
_PES_WGT_EXP = IntParam("pes_wgt_exp", low=-8, high=7, optional=True)
PES_ERROR_SCALE = NumberParam("pes_error_scale", low=0, low_open=True, optional=True)


#: How host values reach the chip (``Model.node_neurons``): see `loihi_model`
INPUT_ENCODINGS = ("on-off", "rectified")
INPUT_ENCODING = EnumParam("input_encoding", values=INPUT_ENCODINGS)

@functools.lru_cache(maxsize=None)
def _rectified_input_class():
    """The class of `rectified_input_neurons`, made once nengo-loihi is imported."""
    import_backend_module("nengo_loihi")
    # pylint: disable=import-outside-toplevel
    from nengo_loihi.decode_neurons import OnOffDecodeNeurons

    class RectifiedInputNeurons(OnOffDecodeNeurons):
        """On/off input neurons without the 500 Hz baseline."""

        def __init__(self, dt=0.001):
            super().__init__(pairs_per_dim=1, dt=dt, is_input=True)
            # the full rate at |v| = 1 from one neuron, none from its partner
            self.gain = np.full(2, self.rate)
            self.bias = np.zeros(2)

    return RectifiedInputNeurons


def rectified_input_neurons(dt=0.001):
    """nengo-loihi input neurons that spike only as much as the value's magnitude.

    nengo-loihi sends a host value ``v`` in [-1, 1] to the chip through one
    on/off pair of spiking neurons per dimension (``OnOffDecodeNeurons``,
    ``Model.node_neurons``) that fire at ``500 (1 + v)`` and ``500 (1 - v)``
    Hz: a spike every step per dimension whatever the value, and two noisy
    spike trains whose difference carries it. These fire at ``1000 max(v, 0)``
    and ``1000 max(-v, 0)`` Hz instead (a bias of zero): the same value on
    average, about ``sum(|v|)`` spikes per step instead of one per dimension,
    and half the counting error (one neuron of the pair is silent). A
    subclass of nengo-loihi's own ``OnOffDecodeNeurons``: the chip side (the
    on/off axons and their weights) is nengo-loihi's, unchanged.
    """
    return _rectified_input_class()(dt=dt)


def loihi_model(dt=0.001, decode_tau=0.0, input_encoding="on-off"):
    """A nengo-loihi build model with the given host-to-chip input options.

    nengo-loihi filters every input from the host with ``Lowpass(decode_tau)``
    on the chip (5 ms by default) and encodes it with on/off neuron pairs
    (``Model.node_neurons``). The model is local to one simulator: nothing
    changes nengo-loihi's defaults.

    Parameters
    ----------
    dt : float
        The simulator's time step.
    decode_tau : float or None
        Time constant of the on-chip filter of host inputs (0: none; None:
        nengo-loihi's default, 5 ms). A host value reaches the chip as spikes
        that each add a weight's worth of current in one step; the chip's
        neurons fire at most once per step, reset to zero and do not go
        below zero, so unfiltered, that noise does not average out.
    input_encoding : {"on-off", "rectified"}
        ``"on-off"``: nengo-loihi's input neurons (a spike per step and
        dimension); ``"rectified"``: `rectified_input_neurons` (spikes in
        proportion to ``|v|``).

    Returns
    -------
    nengo_loihi.builder.Model
        Pass it as ``model=`` to ``nengo_loihi.Simulator``.
    """
    import_backend_module("nengo_loihi")
    from nengo_loihi.builder import Model  # pylint: disable=import-outside-toplevel

    decode_tau = check_param(DECODE_TAU, decode_tau)
    input_encoding = check_param(INPUT_ENCODING, input_encoding)
    model = Model(dt=float(dt), label=f"LMU deployment, dt={dt:g}")
    if decode_tau is not None:
        model.decode_tau = float(decode_tau)
    if input_encoding == "rectified":
        model.node_neurons = rectified_input_neurons(dt=float(dt))
    return model


def loihi_learning_options(
    backend, dt=0.001, pes_wgt_exp=None, pes_error_scale=None, decode_tau=None
):
    """Simulator options that set nengo-loihi's PES parameters for one run.

    nengo-loihi 1.1 stores a learned connection's weights as 8-bit integers
    (about 127 steps either side of zero) whose step is set by the model's
    ``pes_wgt_exp`` (default 4): each step of 1 in it doubles both the
    largest weight and the step. The errors reach the chip multiplied by
    ``pes_error_scale`` (default 100), rounded to integers and clipped to
    [-127, 127]. The defaults suit weights near the largest a weight can be;
    a readout whose decoders are small (a small target, many neurons)
    uses only a few steps of the weight and learns mostly rounding noise:
    lower ``pes_wgt_exp`` until the largest expected decoder is a good part
    (but less than all) of the weight range. The chip's learning rate is
    folded into the size of its presynaptic traces (integers up to 127),
    which grow as ``pes_wgt_exp`` goes down; nengo-loihi warns ("Trace
    increment exceeds upper limit") if they clip.

    Parameters
    ----------
    backend : str
        The backend (see `nengo_lmu.Simulator`); only ``"loihi-sim"`` and
        ``"loihi"`` take these options.
    dt : float
        Simulator time step in seconds (the model's).
    pes_wgt_exp : int or None
        ``Model.pes_wgt_exp``, in [-8, 7]; None keeps nengo-loihi's default.
    pes_error_scale : float or None
        ``Model.pes_error_scale`` (> 0); None keeps nengo-loihi's default.
    decode_tau : float or None
        ``Model.decode_tau`` (seconds, >= 0): the time constant of the lowpass
        through which the chip receives every input from the host (on top of
        the connection's own synapse, which nengo-loihi applies on the host);
        None keeps nengo-loihi's default (5 ms).

    Returns
    -------
    dict
        Keyword arguments for `nengo_lmu.Simulator`: ``{"model": model}`` with
        a fresh ``nengo_loihi.builder.Model`` on a nengo-loihi backend when
        any parameter is given, else empty. Nothing global is changed.
    """
    pes_wgt_exp = check_param(_PES_WGT_EXP, pes_wgt_exp)
    pes_error_scale = check_param(PES_ERROR_SCALE, pes_error_scale)
    decode_tau = check_param(DECODE_TAU, decode_tau)
    if not is_loihi_backend(resolve_backend(backend)):
        return {}
    if pes_wgt_exp is None and pes_error_scale is None and decode_tau is None:
        return {}
    # nengo-loihi imports TensorFlow: only for a run on it
    from nengo_loihi.builder import Model  # pylint: disable=import-outside-toplevel

    model = Model(dt=dt)
    if pes_wgt_exp is not None:
        model.pes_wgt_exp = pes_wgt_exp
    if pes_error_scale is not None:
        model.pes_error_scale = pes_error_scale
    if decode_tau is not None:
        model.decode_tau = decode_tau
    return {"model": model}
