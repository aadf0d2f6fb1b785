"""nengo-lmu's networks under nengo-loihi's own builder.

nengo-loihi has a builder registry of its own (not nengo's, where
`nengo_lmu.builder` registers), and splits the model between host and chip
from the whole network before building any of it. So nengo-lmu wraps
nengo-loihi's network builder: when the top-level network holds nengo-lmu
networks, before the split, it

1. runs the pre-flight check (`check_loihi_ready`), so that a network that
   cannot go on the chip fails with every problem and what to do, not with
   nengo-loihi's first error deep in its builder;
2. gives each plain spiking `.LegendreMemory` its Loihi-ready form (as
   ``loihi=True`` builds it) for this build, with a warning saying so;
3. builds every discretized network for the model's step;

and gives the user's objects back unchanged afterwards. Other networks are
built by nengo-loihi as before. `register` is called by `nengo_lmu.builder`
when nengo-loihi is imported.
"""

import contextlib
import sys
import warnings

import nengo

from nengo_lmu.loihi.checks import check_loihi_ready


def _discretized_networks(network):
    # the networks of nengo_lmu.builder.DiscretizedNetwork, known by their
    # marker: that module imports this one
    return [
        net for net in [network, *network.all_networks]
        if getattr(type(net), "is_discretized_network", False) is True
    ]


def _needs_loihi_form(net):
    return (
        getattr(type(net), "is_legendre_memory", False) is True
        and not net.loihi
        and net.n_neurons is not None
    )


def loihi_form_warning(memory):
    """What changes in ``memory`` when nengo-loihi builds its Loihi-ready form."""
    return (
        f"{memory} is built in its Loihi-ready form for nengo-loihi (as "
        f"LegendreMemory(..., loihi=True)): per input dimension an input ensemble "
        f"and one state ensemble of {memory.n_neurons * memory.order} mirrored "
        f"neurons with neuron-to-neuron weights, instead of an ensemble array, "
        f"and max_rates Uniform(40, 60) unless given. Its state ensembles differ "
        f"from memory.state_ensembles in this build (probe memory.output). Pass "
        f"loihi=True to build this form on every backend and silence this warning."
    )


def _wrap(build_network):
    def build_lmu_network(model, network, *args, **kwargs):
        if model.toplevel is not None:
            return build_network(model, network, *args, **kwargs)
        discretized = _discretized_networks(network)
        if not discretized:
            return build_network(model, network, *args, **kwargs)
        check_loihi_ready(network, dt=model.dt)
        with contextlib.ExitStack() as stack:
            for net in discretized:
                if _needs_loihi_form(net):
                    warnings.warn(loihi_form_warning(net))
                    stack.enter_context(net.loihi_form(model.dt))
            for net in discretized:
                stack.enter_context(net.built_for(model.dt))
            return build_network(model, network, *args, **kwargs)

    build_lmu_network.wraps_for_nengo_lmu = build_network
    return build_lmu_network


def register():
    """Wrap nengo-loihi's network builder (once; nengo-loihi must be imported)."""
    builder = sys.modules["nengo_loihi.builder"].Builder
    current = builder.builders[nengo.Network]
    if not hasattr(current, "wraps_for_nengo_lmu"):
        # set in the registry directly: Builder.register would warn that it overwrites
        builder.builders[nengo.Network] = _wrap(current)
