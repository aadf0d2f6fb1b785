"""One entry point for every backend: ``nengo_lmu.Simulator(net, backend=...)``."""

import warnings

import nengo
from nengo.exceptions import ValidationError

# pylint: disable=unused-import
# the backends' names and helpers stay importable from here, where they were
from nengo_lmu.backends import (  # noqa: F401
    _BACKEND_MODULES,
    BACKEND_ENV_VAR,
    BACKENDS,
    DEFAULT_BACKEND,
    LOIHI_TARGETS,
    import_backend_module,
    is_loihi_backend,
    resolve_backend,
)
from nengo_lmu.builder import DiscretizedNetwork, check_network_dt  # noqa: F401
from nengo_lmu.loihi.checks import check_loihi_board, check_loihi_ready
from nengo_lmu.params import DT, check_param


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

    Every `.DiscretizedNetwork` in ``network`` (a memory, a cell) is built for
    the simulator's ``dt``, as under each backend's own simulator (see
    `nengo_lmu.builder`); a spiking memory gets its Loihi-ready form on
    ``"loihi-sim"`` and ``"loihi"`` (see `nengo_lmu.loihi.build`).

    Raises
    ------
    nengo.exceptions.ValidationError
        Before building, if a discretized network cannot be built exactly at
        the simulator's ``dt`` (`check_network_dt`).
    nengo_lmu.loihi.LoihiPreflightError
        For ``"loihi-sim"`` and ``"loihi"``, before building, if anything in
        ``network`` cannot go on the chip (see `nengo_lmu.loihi.preflight`);
        it lists every problem.
    BackendUnavailableError
        If the backend's package (or, for ``"loihi"``, NxSDK) is missing; for a
        package, a `.MissingExtraError` naming the extra that installs it
        (``pip install nengo-lmu[dl]``).

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
    if "dt" in kwargs:  # nengo takes a NaN, negative or boolean step
        kwargs["dt"] = check_param(DT, kwargs["dt"])
    check_network_dt(network, kwargs.get("dt", 0.001))

    module = import_backend_module(_BACKEND_MODULES[backend][0], f"backend={backend!r}")

    if is_loihi_backend(backend):
        if backend == "loihi":
            check_loihi_board()
        # every problem at once, before nengo-loihi stops at the first
        check_loihi_ready(network, dt=kwargs.get("dt", 0.001))
        kwargs.setdefault("target", LOIHI_TARGETS[backend])

    precision = nengo.rc.get("precision", "bits")
    try:
        with warnings.catch_warnings():
            # NengoDL warns on every CPU-only machine; it is not news to our users
            warnings.filterwarnings("ignore", message="No GPU support detected")
            return module.Simulator(network, **kwargs)
    finally:
        # NengoDL sets nengo's precision to its own (32 bits) while it builds and
        # sets it back only after a build that succeeds: a failed or interrupted
        # build would leave every later nengo build of the process at 32 bits
        nengo.rc.set("precision", "bits", precision)
