"""The Loihi-ready build of `.LegendreMemory` (``loihi=True``).

The plain build's ensemble array does not fit nengo-loihi 1.1 (its passthrough
nodes are removed, and the weights between the arrays' ensembles have no usable
weight exponent); this one puts each memory in one population of mirrored
neuron pairs, fed from an input ensemble, every on-chip connection ensemble to
ensemble with neuron-to-neuron weights.
"""

import nengo
import numpy as np
from nengo.exceptions import ValidationError
from nengo.params import BoolParam

from nengo_lmu.loihi.checks import (
    LOIHI_DT,
    chip_neuron_problem,
    intercepts_problem,
    max_rates_problem,
)


def _with_weights(solver):
    """A copy of a decoder ``solver`` that solves for neuron-to-neuron weights."""
    if solver.weights:
        return solver
    params = {param.name: getattr(solver, param.name) for param in solver._params}
    params["weights"] = True
    return type(solver)(**params)


# default maximum rates of a Loihi-ready memory's neurons (see _build_neural)
LOIHI_MAX_RATES = nengo.dists.Uniform(40, 60)


class Mirrored(nengo.dists.Distribution):
    """Samples of ``dist`` for the first half, repeated for the second half.

    With ``negate=True`` the second half is the first negated. A population
    whose encoders, intercepts and maximum rates come in such mirrored pairs,
    decoded from mirrored evaluation points, has decoders (and so weights)
    that come in exactly opposite pairs: the constant part of the pairs'
    activities then cancels in every connection, however the weights are
    rounded (on Loihi, to 8 bits).

    Parameters
    ----------
    dist : nengo.dists.Distribution
        The distribution of the first half.
    negate : bool
        Whether the second half is the first negated.
    """

    dist = nengo.dists.DistributionParam("dist")
    negate = BoolParam("negate")

    def __init__(self, dist, negate=False):
        super().__init__()
        self.dist = dist
        self.negate = negate

    def sample(self, n, d=None, rng=np.random):
        half = self.dist.sample((n + 1) // 2, d, rng=rng)
        other = -half if self.negate else half
        return np.concatenate([half, other])[:n]


def check_loihi_memory(memory, ens_kwargs, dt):
    """Refuse, before building, what a Loihi-ready `.LegendreMemory` cannot have.

    ``ens_kwargs`` are the keyword arguments its ensembles are given, ``dt``
    the step it is made for.
    """
    if abs(dt - LOIHI_DT) > 1e-12:
        raise ValidationError(
            f"Loihi runs at dt={LOIHI_DT:g} only (got dt={dt:g})", "dt", memory
        )
    problem = chip_neuron_problem(memory.neuron_type)
    if problem is not None:
        raise ValidationError(problem, "neuron_type", memory)
    for attr, check in (("intercepts", intercepts_problem), ("max_rates", max_rates_problem)):
        if attr in ens_kwargs:
            problem = check(ens_kwargs[attr])
            if problem is not None:
                raise ValidationError(problem, attr, memory)
    if memory.layout != "array":
        raise ValidationError(
            "A Loihi-ready memory has a layout of its own (one population per "
            "memory, each neuron tuned to one state dimension); leave "
            "layout='array'",
            "layout",
            memory,
        )
    if memory.n_neurons % 2:
        raise ValidationError(
            f"A Loihi-ready memory pairs its neurons; n_neurons must be even "
            f"(got {memory.n_neurons})",
            "n_neurons",
            memory,
        )


def build_loihi_memory(memory, A, B, S, ens_kwargs):
    """Build a `.LegendreMemory`'s neurons with every on-chip connection ensemble to ensemble.

    Called inside ``with memory:``, with the recurrent and input transforms
    ``A`` and ``B`` (principle 3, in the represented coordinates), the
    normalization ``S`` and the ensembles' keyword arguments.

    Each input dimension enters through an ensemble of its own
    (``input_ensembles``), so that every connection into a state
    ensemble comes from the chip through ``synapse``, with
    neuron-to-neuron weights. (A connection from a Node would be
    filtered on the host, then again by the state ensemble's one input
    filter on the chip.) Only the decoded output leaves the chip.

    Returns the step-dependent connections as ``(connection, "A" or "B")``.
    """
    solver = memory.config[nengo.Connection].solver
    weight_solver = _with_weights(solver)

    def mirrored(value, negate=False):
        is_dist = isinstance(value, nengo.dists.Distribution)
        return Mirrored(value, negate=negate) if is_dist else value

    common = {
        key: mirrored(value) if key in ("max_rates", "intercepts") else value
        for key, value in ens_kwargs.items()
        if key != "eval_points"
    }
    state_kwargs = dict(common)
    input_kwargs = dict(common)
    input_kwargs.setdefault("encoders", Mirrored(nengo.dists.Choice([[1.0]]), negate=True))
    # one ensemble per memory, each neuron tuned to one state dimension
    # (an ensemble array in one object), so that the recurrent weights are
    # one synapse: nengo-loihi 1.1 gives each synapse into a block its own
    # weight exponent, clipped at -6, which scales up synapses much weaker
    # than the block's strongest (weak couplings of an ensemble array)
    half = np.repeat(np.eye(memory.order), memory.n_neurons // 2, axis=0)
    state_kwargs.setdefault("encoders", np.vstack([half, -half]))
    state_kwargs["eval_points"] = mirrored(
        ens_kwargs.get("eval_points", nengo.dists.Gaussian(0, 1 / memory.n_std)), negate=True
    )
    input_kwargs["eval_points"] = Mirrored(nengo.dists.Uniform(-1, 1), negate=True)
    roles = []
    for k, part in enumerate(memory._memory_slices()):
        # the input (RMS input_rms) within radius 1
        input_ensemble = nengo.Ensemble(
            memory.n_neurons,
            1,
            neuron_type=memory.neuron_type,
            label=f"input ensemble {k}",
            **input_kwargs,
        )
        memory.input_ensembles.append(input_ensemble)
        nengo.Connection(memory.input[k], input_ensemble, synapse=None)
        state = nengo.Ensemble(
            memory.n_neurons * memory.order,
            memory.order,
            neuron_type=memory.neuron_type,
            label=f"state ensemble {k}",
            **state_kwargs,
        )
        memory.state_ensembles.append(state)
        conn = nengo.Connection(
            input_ensemble, state, transform=B, synapse=memory.synapse, solver=weight_solver
        )
        roles.append((conn, "B"))
        conn = nengo.Connection(
            state, state, transform=A, synapse=memory.synapse, solver=weight_solver
        )
        roles.append((conn, "A"))
        nengo.Connection(state, memory.output[part], transform=S, synapse=None)
    return roles
