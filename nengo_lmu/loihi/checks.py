"""Loihi readiness: what the chip can run, and a check before building.

nengo-loihi puts every ``Ensemble`` on the chip (unless its config says
``on_chip=False``) and runs every ``Node`` on the host, sending its output to
the chip as spikes. What goes on the chip must fit the chip:

- one time step, ``dt = 0.001`` s;
- the neuron types nengo-loihi 1.1 builds for the chip (`CHIP_NEURON_TYPES`);
  subclasses such as ``AdaptiveLIF`` would be built as their base type, the
  rest refused;
- ``Lowpass`` synapses (or none) on connections into on-chip ensembles, and
  one time constant per ensemble (a compartment has a single input filter:
  nengo-loihi keeps the largest);
- PES as the only learning rule, on a connection from an ``Ensemble``;
- intercepts below nengo-loihi's limit (0.95: higher ones cannot be
  discretized and are clipped) and maximum rates that the chip's integer
  thresholds can produce (at most ``1 / (2 dt)`` = 500 Hz, where the
  quantization of spike periods into whole steps still leaves a usable rate
  code);
- at least one ensemble on the chip: a network of Nodes only is refused
  ("No neurons marked for execution on-chip").

`preflight` lists every object that breaks one of these rules and why;
`nengo_lmu.Simulator` runs it before building for ``"loihi-sim"`` and
``"loihi"``, and nengo-loihi's own ``Simulator`` before building a network
that holds nengo-lmu networks (`nengo_lmu.loihi.build`); both raise
`LoihiPreflightError` listing them all.
"""

import sys

import nengo
import numpy as np

from nengo_lmu.exceptions import BackendUnavailableError, LoihiPreflightError

LOIHI_DT = 0.001
# nengo-loihi's Model.intercept_limit: higher intercepts are clipped to it
INTERCEPT_LIMIT = 0.95
# highest maximum rate (Hz) that keeps a usable rate code on the chip
MAX_RATE_LIMIT = 0.5 / LOIHI_DT
# the neuron types nengo-loihi 1.1 builds onto the chip (exact types)
CHIP_NEURON_TYPES = (nengo.LIF, nengo.SpikingRectifiedLinear, nengo.RegularSpiking)
_CHIP_REGULAR_BASES = (nengo.LIFRate, nengo.RectifiedLinear)


def _loihi_neuron_types():
    """nengo-loihi's own chip neuron types (LoihiLIF, ...), if it was imported.

    A network can hold them only if nengo-loihi was imported; importing it
    here (it imports TensorFlow) would cost seconds for nothing.
    """
    neurons = sys.modules.get("nengo_loihi.neurons")
    if neurons is None:
        return ()
    return tuple(
        getattr(neurons, name)
        for name in ("LoihiLIF", "LoihiSpikingRectifiedLinear")
        if hasattr(neurons, name)
    )


def chip_neuron_problem(neuron_type):
    """Why ``neuron_type`` cannot run on the chip, or None if it can.

    Parameters
    ----------
    neuron_type : nengo.neurons.NeuronType
        The neuron type to check.

    Returns
    -------
    str or None
        The reason, naming the types the chip has.
    """
    kind = type(neuron_type)
    supported = "LIF, SpikingRectifiedLinear, RegularSpiking(LIFRate or RectifiedLinear)"
    if kind in _loihi_neuron_types():
        return None
    if kind is nengo.RegularSpiking:
        base = neuron_type.base_type
        if type(base) not in _CHIP_REGULAR_BASES:
            return (
                f"RegularSpiking({type(base).__name__}) is not on the chip; "
                f"the chip has {supported}"
            )
        if base.amplitude != 1:
            return "RegularSpiking's base type must have amplitude 1 on the chip"
        return None
    if kind in CHIP_NEURON_TYPES:
        return None
    if isinstance(neuron_type, CHIP_NEURON_TYPES):
        return (
            f"{kind.__name__} is not on the chip (nengo-loihi would build it as "
            f"plain {kind.__mro__[1].__name__}, dropping what it adds); the chip "
            f"has {supported}"
        )
    return f"{kind.__name__} neurons are not on the chip; the chip has {supported}"


def _bounds(dist_or_array):
    """(low, high) of a distribution or array of values, or None if unknown."""
    if isinstance(dist_or_array, nengo.dists.Uniform):
        return dist_or_array.low, dist_or_array.high
    if isinstance(dist_or_array, nengo.dists.Choice):
        return float(np.min(dist_or_array.options)), float(np.max(dist_or_array.options))
    if isinstance(dist_or_array, nengo.dists.Distribution):
        return None
    values = np.asarray(dist_or_array, dtype=float)
    return float(np.min(values)), float(np.max(values))


def intercepts_problem(intercepts):
    """Why ``intercepts`` (a distribution or array) do not work on the chip, or None."""
    bounds = _bounds(intercepts)
    if bounds is not None and bounds[1] > INTERCEPT_LIMIT:
        return (
            f"intercepts reach {bounds[1]:g}, above nengo-loihi's limit "
            f"{INTERCEPT_LIMIT:g} (they would be clipped: the neurons' tuning "
            f"changes); keep them below {INTERCEPT_LIMIT:g}"
        )
    return None


def max_rates_problem(max_rates):
    """Why ``max_rates`` (a distribution or array) do not work on the chip, or None."""
    bounds = _bounds(max_rates)
    if bounds is not None and bounds[1] > MAX_RATE_LIMIT:
        return (
            f"max_rates reach {bounds[1]:g} Hz; at dt={LOIHI_DT:g} the chip's spike "
            f"periods are whole steps, so rates above {MAX_RATE_LIMIT:g} Hz cannot "
            f"be told apart: keep them at most {MAX_RATE_LIMIT:g} Hz"
        )
    return None


def _configured_off_chip(network, ensemble):
    """Whether the network's config puts ``ensemble`` off the chip."""
    try:
        return network.config[ensemble].on_chip is False
    except Exception:  # pylint: disable=broad-except
        return False  # nengo_loihi.add_params was not called: default on chip


def chip_ensembles(network):
    """The ensembles of ``network`` that nengo-loihi will put on the chip.

    nengo-loihi's rules: every ensemble, except those whose config says
    ``on_chip=False``, those of ``Direct`` neurons, the post ensembles of
    learned connections and the ensembles that feed a learning rule's error.

    Parameters
    ----------
    network : nengo.Network
        The model.

    Returns
    -------
    list of nengo.Ensemble
    """
    off = set()
    for ens in network.all_ensembles:
        if _configured_off_chip(network, ens) or isinstance(ens.neuron_type, nengo.Direct):
            off.add(ens)
    for conn in network.all_connections:
        pre, post = conn.pre_obj, conn.post_obj
        if conn.learning_rule_type is not None and isinstance(post, nengo.Ensemble):
            off.add(post)
        elif isinstance(post, nengo.connection.LearningRule) and isinstance(
            pre, nengo.Ensemble
        ):
            off.add(pre)
    return [ens for ens in network.all_ensembles if ens not in off]


def _synapse_problem(synapse):
    if synapse is None or type(synapse) is nengo.Lowpass:  # pylint: disable=unidiomatic-typecheck
        return None
    return (
        f"synapse {synapse} into an on-chip ensemble; the chip filters its "
        f"input with Lowpass synapses only (use nengo.Lowpass(tau), or move the "
        f"filtering off the chip)"
    )


def preflight(network, dt=LOIHI_DT):
    """List each object of ``network`` that cannot go on the Loihi chip, and why.

    Checks, without building anything: the time step; that some ensemble is
    on the chip; each on-chip ensemble's neuron type, intercepts and maximum
    rates; the synapses of connections into on-chip ensembles (Lowpass only,
    one time constant per ensemble); learning rules (PES from an ensemble
    only). Nodes are allowed: nengo-loihi runs them on the host.

    Parameters
    ----------
    network : nengo.Network
        The model to check.
    dt : float
        The time step it would run with.

    Returns
    -------
    list of (object, str)
        Each problem: the offending object (the network itself for network-wide
        problems) and the reason. Empty if the network is Loihi-ready.

    Examples
    --------
    >>> import nengo
    >>> from nengo_lmu.loihi import preflight
    >>> with nengo.Network() as net:
    ...     node = nengo.Node(1.0)
    >>> [reason.split(" (")[0] for _, reason in preflight(net)]
    ['no ensemble is on the chip']
    """
    problems = []
    if abs(dt - LOIHI_DT) > 1e-12:
        problems.append(
            (network, f"dt={dt:g}, but the chip runs at dt={LOIHI_DT:g} only")
        )

    on_chip = chip_ensembles(network)
    if not on_chip:
        problems.append(
            (
                network,
                "no ensemble is on the chip (nengo-loihi refuses a network with "
                "'No neurons marked for execution on-chip'); a Node-only network "
                "such as an ideal memory (n_neurons=None) cannot run on Loihi: "
                "use a neural memory (n_neurons=N, loihi=True) or another backend",
            )
        )

    for ens in on_chip:
        problem = chip_neuron_problem(ens.neuron_type)
        if problem is not None:
            problems.append((ens, problem))
        if ens.gain is None or ens.bias is None:
            for check, value in (
                (intercepts_problem, ens.intercepts),
                (max_rates_problem, ens.max_rates),
            ):
                problem = check(value)
                if problem is not None:
                    problems.append((ens, problem))

    on_chip_set = set(on_chip)
    taus = {}
    for conn in network.all_connections:
        post = conn.post_obj
        post_ens = post.ensemble if isinstance(post, nengo.ensemble.Neurons) else post
        if isinstance(post_ens, nengo.Ensemble) and post_ens in on_chip_set:
            problem = _synapse_problem(conn.synapse)
            if problem is not None:
                problems.append((conn, problem))
            elif conn.synapse is not None:
                taus.setdefault(post_ens, set()).add(conn.synapse.tau)
        rule = conn.learning_rule_type
        if rule is not None:
            problems.extend((conn, reason) for reason in _learning_problems(conn, rule))

    for ens, ens_taus in taus.items():
        if len(ens_taus) > 1:
            problems.append(
                (
                    ens,
                    f"its input connections have synapses with different time "
                    f"constants {sorted(ens_taus)}; an on-chip compartment has one "
                    f"input filter (nengo-loihi would use {max(ens_taus):g} for all)",
                )
            )
    problems.extend(_memory_problems(network, on_chip_set, dt))
    return problems


def _memory_problems(network, on_chip_set, dt):
    """Neural Legendre memories on the chip that cannot take their Loihi-ready form.

    A spiking memory built without ``loihi=True`` recurs through the ensemble
    array's passthrough output Node; nengo-loihi folds it into
    ensemble-to-ensemble weights whose range it cannot quantize ("Could not
    find appropriate weight exponent", deep in the build). So nengo-loihi's
    build gives it its Loihi-ready form (`nengo_lmu.loihi.build`); this lists
    those that cannot have it, and why. Found by what the memory says of itself
    (its class's ``is_legendre_memory`` marker, which subclasses inherit, its
    ``loihi`` and ``n_neurons`` attributes and ``loihi_form_problem``), so this
    module needs not import the networks.
    """
    problems = []
    for net in [network] + list(network.all_networks):
        if getattr(type(net), "is_legendre_memory", False) is not True:
            continue
        if getattr(net, "loihi", True) or getattr(net, "n_neurons", None) is None:
            continue
        if not any(ens in on_chip_set for ens in net.all_ensembles):
            continue
        problem = net.loihi_form_problem(dt)
        if problem is None:
            continue
        problems.append(
            (
                net,
                f"the spiking memory {net.label or type(net).__name__!r} cannot take "
                f"its Loihi-ready form, which nengo-loihi needs (its plain form's "
                f"recurrent weights cannot be quantized: 'Could not find appropriate "
                f"weight exponent'): {problem}",
            )
        )
    return problems


def _learning_problems(conn, rule):
    if isinstance(rule, nengo.learning_rules.LearningRuleType):
        rules = [rule]
    elif isinstance(rule, dict):
        rules = list(rule.values())
    else:
        rules = list(rule)
    reasons = []
    for each in rules:
        if not isinstance(each, nengo.PES):
            reasons.append(
                f"learning rule {type(each).__name__}: the chip learns with PES only"
            )
            continue
        if not isinstance(conn.pre_obj, nengo.Ensemble):
            reasons.append(
                f"PES from a {type(conn.pre_obj).__name__}: on the chip PES learns "
                f"only on connections from an Ensemble (decoded)"
            )
        if each.pre_synapse is not None and type(each.pre_synapse) is not nengo.Lowpass:  # pylint: disable=unidiomatic-typecheck
            reasons.append(
                f"PES pre_synapse {each.pre_synapse}: the chip traces with Lowpass only"
            )
    return reasons


def check_loihi_ready(network, dt=LOIHI_DT):
    """Raise `LoihiPreflightError` listing every `preflight` problem, if any.

    Parameters
    ----------
    network : nengo.Network
        The model to check.
    dt : float
        The time step it would run with.
    """
    problems = preflight(network, dt=dt)
    if problems:
        raise LoihiPreflightError(problems)


def check_loihi_board():
    """Fail before building if no Loihi board can be reached (no NxSDK)."""
    from nengo_loihi.hardware import nxsdk_shim  # pylint: disable=import-outside-toplevel

    if not nxsdk_shim.HAS_NXSDK:
        raise BackendUnavailableError(
            "Backend 'loihi' runs on a Loihi board through Intel's NxSDK, which is not "
            "installed here. Use backend='loihi-sim' to run nengo-loihi's emulator of "
            "the chip instead."
        )
