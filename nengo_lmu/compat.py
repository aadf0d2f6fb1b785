"""Checks of the environment that ``import nengo_lmu`` runs once."""

import os
import warnings

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
