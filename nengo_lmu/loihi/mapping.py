"""How a network maps onto Loihi: cores, neurons per core, weight quantization.

`loihi_mapping` builds a network with nengo-loihi's emulator
(``target="sim"``), which discretizes it exactly as for the chip, records
every synapse's float weights just before they are rounded to the chip's
integers, and places the blocks on cores with nengo-loihi's ``Greedy``
allocator (pure Python: it needs no NxSDK). The command
``nengo-lmu bench loihi-mapping`` prints the figures for a Loihi-ready memory
and for an online-learning readout of it.
"""

import contextlib
import warnings

import numpy as np

from nengo_lmu.backends import import_backend_module

#: Neurocores on one Loihi chip
CORES_PER_CHIP = 128


@contextlib.contextmanager
def _recording_weights(records):
    """Record (float weights, weights as the chip sees them) of each synapse built."""
    from nengo_loihi.builder import discretize  # pylint: disable=import-outside-toplevel

    original = discretize.discretize_synapse

    def discretize_synapse(synapse, w_max, w_scale, w_exp):
        before = [np.array(w, dtype=np.float64) for w in synapse.weights]
        original(synapse, w_max, w_scale, w_exp)
        if synapse.learning:  # learned weights start at zero and change
            records.append((synapse, None, None))
            return
        after = []
        for w, idxs in zip(synapse.weights, synapse.indices):
            scale = w_scale[idxs] if np.ndim(w_scale) else w_scale
            # what the chip adds to the block's input per spike, in float units:
            # every synapse of a block shares its w_scale and 2**(6 + w_exp)
            after.append(np.asarray(w, dtype=np.float64) / (scale * 2.0 ** (6 + w_exp)))
        records.append((synapse, before, after))

    discretize.discretize_synapse = discretize_synapse
    try:
        yield
    finally:
        discretize.discretize_synapse = original


def loihi_mapping(network, dt=0.001, seed=None, model=None):
    """Build ``network`` for Loihi (emulator) and measure how it maps onto the chip.

    Parameters
    ----------
    network : nengo.Network
        The model (it should pass `nengo_lmu.loihi.preflight`).
    dt : float
        Time step.
    seed : int, optional
        Simulator seed.
    model : nengo_loihi.builder.Model, optional
        The model to build into (see `nengo_lmu.loihi.loihi_model`); None:
        nengo-loihi's default.

    Returns
    -------
    dict
        ``cores`` (cores used), ``chips``, ``neurons`` (compartments on chip),
        ``neurons_per_core`` (array, one per core), ``synapse_bits_per_core``
        (array, fraction of each core's synapse memory used),
        ``in_axons_per_core`` and ``out_axons_per_core`` (arrays),
        ``limits`` (nengo-loihi's per-core limits: ``compartments``,
        ``in_axons``, ``out_axons``, ``synapse_bits``), ``fits_one_chip``
        (at most `CORES_PER_CHIP` cores), ``weights``
        (number of non-learned weights), ``weight_rel_rms`` (RMS of the
        rounding error of every non-learned weight over the RMS of the
        weights), ``worst_synapse_rel_rms`` (the same for the worst synapse),
        ``learned_synapses`` (how many learn on chip), and ``simulator`` (the
        built emulator, to run).
    """
    nengo_loihi = import_backend_module("nengo_loihi")
    # pylint: disable=import-outside-toplevel
    from nengo_loihi.block import (
        MAX_COMPARTMENTS,
        MAX_IN_AXONS,
        MAX_OUT_AXONS,
        MAX_SYNAPSE_BITS,
    )
    from nengo_loihi.hardware.allocators import Greedy  # pylint: disable=import-outside-toplevel

    records = []
    with _recording_weights(records), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Lost bits in weight rounding": measured here
        sim = nengo_loihi.Simulator(network, dt=dt, seed=seed, target="sim",
                                    progress_bar=False, model=model)
    board = Greedy()(sim.model, n_chips=1024)
    cores = [core for chip in board.chips for core in chip.cores]
    neurons_per_core = np.array(
        [sum(block.compartment.n_compartments for block in core.blocks) for core in cores]
    )
    bits = np.array(
        [sum(s.bits() for block in core.blocks for s in block.synapses) for core in cores]
    )
    in_axons = np.array(
        [sum(s.n_axons for block in core.blocks for s in block.synapses) for core in cores]
    )
    out_axons = np.array(
        [sum(a.axon_slots() for block in core.blocks for a in block.axons) for core in cores]
    )
    squared_error = squared_weight = 0.0
    n_weights = 0
    worst = 0.0
    for _, before, after in records:
        if before is None:
            continue
        b = np.concatenate([w.ravel() for w in before])
        a = np.concatenate([w.ravel() for w in after])
        if not np.any(b):
            continue
        squared_error += np.sum((a - b) ** 2)
        squared_weight += np.sum(b**2)
        n_weights += b.size
        worst = max(worst, float(np.sqrt(np.sum((a - b) ** 2) / np.sum(b**2))))
    return {
        "cores": len(cores),
        "chips": board.n_chips,
        "neurons": int(neurons_per_core.sum()),
        "neurons_per_core": neurons_per_core,
        "synapse_bits_per_core": bits / MAX_SYNAPSE_BITS,
        "in_axons_per_core": in_axons,
        "out_axons_per_core": out_axons,
        "limits": dict(compartments=MAX_COMPARTMENTS, in_axons=MAX_IN_AXONS,
                       out_axons=MAX_OUT_AXONS, synapse_bits=MAX_SYNAPSE_BITS),
        "fits_one_chip": len(cores) <= CORES_PER_CHIP,
        "weights": n_weights,
        "weight_rel_rms": float(np.sqrt(squared_error / squared_weight)) if n_weights else 0.0,
        "worst_synapse_rel_rms": worst,
        "learned_synapses": sum(1 for _, before, _ in records if before is None),
        "simulator": sim,
    }
