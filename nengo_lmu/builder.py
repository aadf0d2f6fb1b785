"""How nengo-lmu's networks are built: for the simulator's own time step, on every backend.

A `DiscretizedNetwork` (`.LegendreMemory`, `.LMUCell`) holds dynamics
discretized for one step, its ``dt``. Its build function, registered with
nengo's builder (which NengoDL's builder falls back to), builds it for the
step of the model being built: the connections whose transforms depend on the
step get the transforms for that step while the network is built, and their
own back afterwards, so the user's objects do not change. Where that cannot be
exact it raises a ``ValidationError`` naming both steps.

nengo-loihi has a builder registry of its own, and decides what goes on the
chip before anything is built; `nengo_lmu.loihi.build` hooks into its network
builder when nengo-loihi is imported (never before: importing it costs seconds
and TensorFlow), see `install_loihi_builder`.
"""

import contextlib
import importlib.abc
import importlib.util
import sys

import nengo
import numpy as np
from nengo.builder import Builder
from nengo.builder.network import build_network
from nengo.exceptions import ValidationError

from nengo_lmu.loihi import build as loihi_build

# steps closer than this (relative) are the same step
_DT_RTOL = 1e-9


def same_dt(dt_a, dt_b):
    """Whether two time steps are the same (up to rounding)."""
    return abs(dt_a - dt_b) <= _DT_RTOL * max(dt_a, dt_b)


class DiscretizedNetwork(nengo.Network):
    """A network whose dynamics were discretized for one time step, its ``dt``.

    Built by any simulator at another step, it is built for that step
    (`built_for`): the transforms of its step-dependent connections are
    recomputed for the build only. `.LegendreMemory` and `.LMUCell` are ones.

    Subclasses list their step-dependent connections with
    `record_discretized` and compute their transforms in
    `discretized_transforms`.
    """

    #: marks the networks `nengo_lmu.loihi.build` builds for the model's step
    #: (it cannot import this module, which imports it)
    is_discretized_network = True

    dt = None

    def record_discretized(self, transforms, dt):
        """Record the step-dependent connections (``{conn: transform}``) made for ``dt``."""
        self._discretized = {conn: np.array(value) for conn, value in transforms.items()}
        self._core_dt = dt

    def discretized_transforms(self, dt):
        """``{conn: transform}`` of the step-dependent connections, for step ``dt``."""
        return {}

    def rediscretization_problem(self, dt):
        """Why this network cannot be built exactly at ``dt``, or None.

        Its step-dependent transforms must still be those it made: a trained
        (``freeze_params``) or edited transform holds values for its own step
        that cannot be carried to another.
        """
        core_dt = getattr(self, "_core_dt", self.dt)
        if same_dt(core_dt, dt):
            return None
        for conn, made in getattr(self, "_discretized", {}).items():
            current = getattr(conn.transform, "init", None)
            if not isinstance(current, np.ndarray) or not np.array_equal(
                np.broadcast_to(current, made.shape), made
            ):
                return (
                    f"{self} was discretized for dt={core_dt:g}, and the simulator "
                    f"runs at dt={dt:g}; the transform of {conn} was changed since "
                    f"it was made (trained or edited), so it cannot be recomputed "
                    f"for dt={dt:g}: make the network with dt={dt:g}, or run the "
                    f"simulator at dt={core_dt:g}"
                )
        return None

    @contextlib.contextmanager
    def built_for(self, dt):
        """Context in which the network's step-dependent transforms are those for ``dt``.

        Restores the network's own transforms on exit, whatever happens.

        Raises
        ------
        nengo.exceptions.ValidationError
            If they cannot be recomputed for ``dt`` (`rediscretization_problem`).
        """
        problem = self.rediscretization_problem(dt)
        if problem is not None:
            raise ValidationError(problem, attr="dt", obj=self)
        core_dt = getattr(self, "_core_dt", self.dt)
        if same_dt(core_dt, dt):
            yield
            return
        saved = {conn: conn.transform for conn in self._discretized}
        try:
            for conn, transform in self.discretized_transforms(dt).items():
                conn.transform = transform
            self._core_dt = dt
            yield
        finally:
            for conn, transform in saved.items():
                conn.transform = transform
            self._core_dt = core_dt


def discretized_networks(network):
    """Every `DiscretizedNetwork` in ``network`` (itself included)."""
    return [net for net in [network, *network.all_networks] if isinstance(net, DiscretizedNetwork)]


def check_network_dt(network, dt):
    """Check, before building, that every `DiscretizedNetwork` in ``network`` can run at ``dt``.

    Each is built for the simulator's step (`DiscretizedNetwork.built_for`);
    this raises the ``ValidationError`` the build would raise, before anything
    is built.
    """
    for net in discretized_networks(network):
        problem = net.rediscretization_problem(dt)
        if problem is not None:
            raise ValidationError(problem, attr="dt", obj=net)


@Builder.register(DiscretizedNetwork)
def build_discretized_network(model, network, **kwargs):
    """Build a `DiscretizedNetwork` for the step of ``model`` (nengo's and NengoDL's builder)."""
    with network.built_for(model.dt):
        return build_network(model, network, **kwargs)


class _LoihiBuilderHook(importlib.abc.MetaPathFinder):
    """Hooks `nengo_lmu.loihi.build` into nengo-loihi's builder once nengo-loihi is imported."""

    def find_spec(self, fullname, path, target=None):  # pylint: disable=unused-argument
        if fullname != "nengo_loihi":
            return None
        sys.meta_path.remove(self)  # once, and not to find itself below
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_register(module):
            exec_module(module)
            loihi_build.register()

        spec.loader.exec_module = exec_then_register
        return spec


def install_loihi_builder():
    """Hook into nengo-loihi's builder now if it was imported, else when it is."""
    if sys.modules.get("nengo_loihi") is not None:  # None: its import is blocked
        loihi_build.register()
    elif not any(isinstance(finder, _LoihiBuilderHook) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LoihiBuilderHook())


install_loihi_builder()
