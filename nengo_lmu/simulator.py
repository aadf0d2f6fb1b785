"""One entry point for every backend: ``nengo_lmu.Simulator(net, backend=...)``."""

import importlib
import os
import sys
import warnings

import nengo
from nengo.exceptions import NengoException, ValidationError
from nengo.params import EnumParam

from nengo_lmu.compat import tensorflow_log_filter
from nengo_lmu.loihi import check_loihi_ready
from nengo_lmu.validation import check_param

BACKEND_ENV_VAR = "NENGO_LMU_BACKEND"
DEFAULT_BACKEND = "nengo"

# backend name -> (module, what to install when it is missing)
_BACKEND_MODULES = {
    "nengo": ("nengo", "nengo"),
    "dl": ("nengo_dl", "nengo-dl"),
    "loihi-sim": ("nengo_loihi", "nengo-loihi"),
    "loihi": ("nengo_loihi", "nengo-loihi"),
}
# nengo_loihi's target for each of its backends
_LOIHI_TARGETS = {"loihi-sim": "sim", "loihi": "loihi"}
BACKENDS = tuple(_BACKEND_MODULES)
_BACKEND = EnumParam("backend", values=BACKENDS)


def import_backend_module(module_name):
    """Import a backend's package without letting it raise TensorFlow's log level.

    nengo_dl sets ``TF_CPP_MIN_LOG_LEVEL=1`` on import, just before importing
    TensorFlow, which overrides the user's setting (or nengo_lmu's default)
    and lets TensorFlow's start-up warnings through. TensorFlow reads the level
    when it loads, so importing it first keeps the user's level; the GPU check
    nengo_dl runs in a subprocess is filtered; the variable is restored after.
    """
    if sys.modules.get(module_name) is not None:
        return sys.modules[module_name]
    level = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
    with tensorflow_log_filter():
        if module_name == "nengo_dl":
            importlib.import_module("tensorflow")
        module = importlib.import_module(module_name)
    if level is not None:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = level
    return module


class BackendUnavailableError(NengoException, RuntimeError):
    """A backend cannot run here (its package or hardware is missing)."""


def resolve_backend(backend=None):
    """The backend to use: ``backend``, else ``$NENGO_LMU_BACKEND``, else nengo.

    Raises ``ValidationError`` listing the valid names for an unknown one.
    """
    if backend is None:
        backend = os.environ.get(BACKEND_ENV_VAR, DEFAULT_BACKEND)
    return check_param(_BACKEND, backend)


def check_network_dt(network, dt):
    """Check that every `.LegendreMemory` in ``network`` was discretized at ``dt``.

    A memory discretized at another step would run, but would remember the
    wrong window; this catches that before anything is built.
    """
    from nengo_lmu.networks import LegendreMemory  # networks import this package

    networks = [network, *network.all_networks]
    for net in networks:
        if isinstance(net, LegendreMemory) and abs(net.dt - dt) > 1e-12 * dt:
            raise ValidationError(
                f"{net} was discretized for dt={net.dt:g} but the simulator "
                f"runs at dt={dt:g}; pass dt={dt:g} to the memory, or run the "
                f"simulator at dt={net.dt:g}",
                attr="dt",
                obj=net,
            )


def check_loihi_board():
    """Fail before building if no Loihi board can be reached (no NxSDK)."""
    from nengo_loihi.hardware import nxsdk_shim  # pylint: disable=import-outside-toplevel

    if not nxsdk_shim.HAS_NXSDK:
        raise BackendUnavailableError(
            "Backend 'loihi' runs on a Loihi board through Intel's NxSDK, which is not "
            "installed here. Use backend='loihi-sim' to run nengo-loihi's emulator of "
            "the chip instead."
        )


def Simulator(network, backend=None, **kwargs):
    """Build ``network`` with the simulator of ``backend`` and return it.

    Parameters
    ----------
    network : nengo.Network
        The model to simulate.
    backend : {"nengo", "dl", "loihi-sim", "loihi"}
        Which simulator runs the model: nengo's reference simulator, NengoDL,
        nengo-loihi's emulator of the Loihi chip, or a Loihi board (through
        NxSDK). Defaults to the environment variable ``NENGO_LMU_BACKEND``, or
        ``"nengo"`` if that is not set.
    **kwargs
        Passed to the backend's simulator (``dt``, ``seed``, ``progress_bar``,
        and backend-specific options such as NengoDL's ``minibatch_size``).

    Raises
    ------
    nengo_lmu.loihi.LoihiPreflightError
        For ``"loihi-sim"`` and ``"loihi"``, before building, if anything in
        ``network`` cannot go on the chip (see `nengo_lmu.loihi.preflight`);
        it lists every problem.
    BackendUnavailableError
        If the backend's package (or, for ``"loihi"``, NxSDK) is missing.

    Returns
    -------
    simulator
        A ``nengo.Simulator``, ``nengo_dl.Simulator`` or
        ``nengo_loihi.Simulator``, usable as a context manager.

    Examples
    --------
    >>> import nengo, nengo_lmu
    >>> with nengo.Network() as net:
    ...     node = nengo.Node(1.0)
    >>> with nengo_lmu.Simulator(net, backend="nengo", progress_bar=False) as sim:
    ...     sim.run_steps(3)
    """
    backend = resolve_backend(backend)
    if not isinstance(network, nengo.Network):
        raise ValidationError(
            f"Must be a nengo.Network (got {type(network).__name__})", "network"
        )
    check_network_dt(network, kwargs.get("dt", 0.001))

    module_name, package = _BACKEND_MODULES[backend]
    try:
        module = import_backend_module(module_name)
    except ImportError as error:
        raise BackendUnavailableError(
            f"Backend {backend!r} needs the package {package!r}, which could not "
            f"be imported ({error}). Install it with: pip install {package}"
        ) from error

    if backend in _LOIHI_TARGETS:
        if backend == "loihi":
            check_loihi_board()
        # every problem at once, before nengo-loihi stops at the first
        check_loihi_ready(network, dt=kwargs.get("dt", 0.001))
        kwargs.setdefault("target", _LOIHI_TARGETS[backend])

    with warnings.catch_warnings():
        # NengoDL warns on every CPU-only machine; it is not news to our users
        warnings.filterwarnings("ignore", message="No GPU support detected")
        return module.Simulator(network, **kwargs)
