"""The backends nengo-lmu runs on: their names, packages and the one to use.

`nengo_lmu.Simulator` builds on them; everything that needs to know which
backend a run is on (or to import a backend's package) asks here.
"""

import importlib
import os
import sys

from nengo.exceptions import ValidationError
from nengo.params import EnumParam

from nengo_lmu.compat import tensorflow_log_filter
from nengo_lmu.exceptions import MissingExtraError
from nengo_lmu.params import check_param

BACKEND_ENV_VAR = "NENGO_LMU_BACKEND"
DEFAULT_BACKEND = "nengo"

# backend name -> (module, what to install when it is missing)
_BACKEND_MODULES = {
    "nengo": ("nengo", "nengo"),
    "dl": ("nengo_dl", "nengo-dl"),
    "loihi-sim": ("nengo_loihi", "nengo-loihi"),
    "loihi": ("nengo_loihi", "nengo-loihi"),
}
# optional module -> (its package's name, the extra of setup.cfg that installs it)
EXTRAS = {
    "nengo_dl": ("nengo-dl", "dl"),
    "tensorflow": ("TensorFlow", "dl"),
    "sklearn": ("scikit-learn", "dl"),
    "nengo_loihi": ("nengo-loihi", "loihi"),
    "nir": ("nir", "nir"),
    "keras_lmu": ("keras-lmu", "bench"),
}
# nengo_loihi's target for each of its backends
LOIHI_TARGETS = {"loihi-sim": "sim", "loihi": "loihi"}
BACKENDS = tuple(_BACKEND_MODULES)
_BACKEND = EnumParam("backend", values=BACKENDS)


def install_hint(module_name):
    """The command that installs an optional module: ``pip install nengo-lmu[dl]``."""
    return f"pip install nengo-lmu[{EXTRAS[module_name][1]}]"


def missing_extra(module_name, what, error=None):
    """The `.MissingExtraError` for ``what``, which needs ``module_name``, not installed.

    Its message is one line: what needs which package, and the command that
    installs its extra (with the import's own error, if it says more than
    that the module is missing).
    """
    package, extra = EXTRAS[module_name]
    missing = getattr(error, "name", None)
    detail = ""
    if error is not None and EXTRAS.get(missing, (None, None))[1] != extra:
        # not just the extra missing: something else in the way, say what
        detail = " (" + " ".join(str(error).split()) + ")"
    return MissingExtraError(
        f"{what} needs {package}, which is not installed{detail}: "
        f"{install_hint(module_name)}"
    )


def import_backend_module(module_name, what="This"):
    """Import a backend's package without letting it raise TensorFlow's log level.

    An optional module (`EXTRAS`) that is not installed raises
    `.MissingExtraError`, one line saying that ``what`` (``"backend='dl'"``,
    ``"nengo-lmu train"``) needs it and how to install its extra.

    nengo_dl sets ``TF_CPP_MIN_LOG_LEVEL=1`` on import, just before importing
    TensorFlow, which overrides the user's setting (or nengo_lmu's default)
    and lets TensorFlow's start-up warnings through. TensorFlow reads the level
    when it loads, so importing it first keeps the user's level; the GPU check
    nengo_dl runs in a subprocess is filtered; the variable is restored after.
    """
    if sys.modules.get(module_name) is not None:
        return sys.modules[module_name]
    level = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
    try:
        with tensorflow_log_filter():
            if module_name == "nengo_dl":
                importlib.import_module("tensorflow")
            module = importlib.import_module(module_name)
    except ImportError as error:
        if module_name not in EXTRAS:
            raise
        raise missing_extra(module_name, what, error) from error
    if level is not None:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = level
    return module


def resolve_backend(backend=None):
    """The backend to use: ``backend``, else ``$NENGO_LMU_BACKEND``, else nengo.

    Raises ``ValidationError`` listing the valid names for an unknown one
    (on ``NENGO_LMU_BACKEND`` if the name came from there; an empty value
    counts as unset).
    """
    if backend is None:
        backend = os.environ.get(BACKEND_ENV_VAR) or DEFAULT_BACKEND  # empty: unset
        if backend not in BACKENDS:  # the error names the variable, not an argument
            raise ValidationError(
                f"must be one of {', '.join(BACKENDS)} (got {backend!r}), or unset "
                f"for {DEFAULT_BACKEND}",
                attr=BACKEND_ENV_VAR,
            )
    return check_param(_BACKEND, backend)


def is_loihi_backend(backend):
    """Whether ``backend`` (a resolved name) runs on nengo-loihi: the emulator or a board."""
    return backend in LOIHI_TARGETS
