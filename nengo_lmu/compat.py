"""Checks of the environment that ``import nengo_lmu`` runs once."""

import contextlib
import os
import re
import sys
import tempfile
import warnings

import numpy as np

from nengo_lmu.version import latest_nengo_version, minimum_nengo_version


def _format(version_info):
    return ".".join(str(v) for v in version_info)


def check_nengo_version(nengo_version_info):
    """Refuse a nengo older than supported; warn about one newer than tested."""
    installed = tuple(nengo_version_info[:3])
    if installed < minimum_nengo_version:
        raise ImportError(
            f"nengo-lmu needs nengo >= {_format(minimum_nengo_version)}, but nengo "
            f"{_format(installed)} is installed. Upgrade it with: "
            f"pip install 'nengo>={_format(minimum_nengo_version)}'"
        )
    if installed > latest_nengo_version:
        warnings.warn(
            f"nengo {_format(installed)} is newer than the newest version nengo-lmu "
            f"was tested with ({_format(latest_nengo_version[:2])}.x); nengo-dl and "
            f"nengo-loihi may not support it"
        )


def quiet_tensorflow_startup():
    """Keep TensorFlow's C++ start-up log out of the user's terminal.

    NengoDL imports TensorFlow, which prints several lines of warnings about
    GPUs and TensorRT that do not concern a CPU user. This only sets a default:
    a user who sets ``TF_CPP_MIN_LOG_LEVEL`` themselves keeps their choice.
    It has no effect if TensorFlow was imported before nengo_lmu.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# "2026-01-01 12:00:00.000000: W tensorflow/...": TensorFlow's C++ log lines
_TF_LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d [\d:.]+: ([IWEF]) (tensorflow|tsl|external)/")
_TF_LEVELS = {"I": 0, "W": 1, "E": 2, "F": 3}


@contextlib.contextmanager
def tensorflow_log_filter():
    """Drop TensorFlow's C++ log lines below ``TF_CPP_MIN_LOG_LEVEL`` from stderr.

    nengo_dl checks for GPUs on import in a subprocess whose environment it
    has set to log TensorFlow warnings, whatever the user chose. Everything
    written to the stderr file descriptor meanwhile is captured and written
    back, except those lines.
    """
    try:
        level = int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
        fd = sys.stderr.fileno()
    except (ValueError, AttributeError, OSError):
        # no numeric level, or no real stderr (e.g. captured by a notebook)
        yield
        return

    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            capture.seek(0)
            for line in capture.read().decode(errors="replace").splitlines(True):
                match = _TF_LOG_LINE.match(line)
                if match is None or _TF_LEVELS[match.group(1)] >= level:
                    sys.stderr.write(line)
            sys.stderr.flush()


def filt(synapse, signal, dt):
    """``synapse.filt(signal, dt=dt, y0=0)`` along time (axis 0), for a 1-D signal too.

    nengo's ``Synapse.filt`` writes each step's output, of shape (1,), into a
    scalar slot of a 1-D signal, which numpy >= 2.4 refuses (nengo 4.1 does
    it still); a 1-D signal is filtered as a column, which sums the same.
    """
    signal = np.asarray(signal)
    if signal.ndim == 1:
        return synapse.filt(signal[:, None], dt=dt, y0=0)[:, 0]
    return synapse.filt(signal, dt=dt, y0=0)
