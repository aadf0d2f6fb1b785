"""What the ``nengo-lmu`` commands share: options, list arguments, output.

The demos, benchmarks and ``train`` command all use these; nothing here
imports a command, so the commands and `nengo_lmu.cli` import it freely.
"""

import argparse
import contextlib
import sys

import numpy as np
from nengo.exceptions import ValidationError

from nengo_lmu.backends import BACKENDS, resolve_backend
from nengo_lmu.params import SEED, check_param
from nengo_lmu.utils.files import check_output_path  # noqa: F401 (the commands' import of it)


def format_table(header, rows):
    """A plain-text table with right-aligned columns."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_metrics(metrics, file=None):
    """Print metrics as ``name=value`` lines, in order."""
    for name, value in metrics.items():
        print(f"{name}={value:.6g}" if isinstance(value, float) else f"{name}={value}", file=file)


def add_common(sub):
    """Give a subcommand the ``--backend`` and ``--seed`` options every command takes."""
    sub.add_argument(
        "--backend",
        default=None,
        help=f"one of {', '.join(BACKENDS)} (default: $NENGO_LMU_BACKEND or nengo)",
    )
    sub.add_argument(
        "--seed", type=seed_arg, default=0, help="random seed, 0 to 2**32 - 1 (default: 0)"
    )


def seed_arg(text):
    """An argparse ``type``: a seed, a whole number `.SEED` accepts (0 to 2**32 - 1)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    try:
        return check_param(SEED, value)
    except ValidationError:
        raise argparse.ArgumentTypeError(
            f"must lie in [{SEED.low}, 2**32 - 1] (got {value})"
        ) from None


def positive_float(text):
    """An argparse ``type``: a finite number greater than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number (got {text!r})") from None
    if not (np.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0 (got {text!r})")
    return value


def comma_list(text):
    """The non-empty items of a comma-separated list, stripped."""
    return [item.strip() for item in text.split(",") if item.strip()]


def choice_list(choices, name):
    """An argparse ``type``: a comma-separated list of some of ``choices``.

    An empty list or an unknown item is an argparse error that lists the
    choices (a ``ValueError`` would reach the user as "invalid value" only).
    """

    def parse(text):
        values = comma_list(text)
        unknown = sorted(set(values) - set(choices))
        if unknown or not values:
            raise argparse.ArgumentTypeError(
                f"unknown {name} {unknown}; choose from {', '.join(choices)}" if unknown
                else f"give at least one of {', '.join(choices)}"
            )
        return values

    parse.__name__ = name  # argparse's name for it in other messages
    return parse


@contextlib.contextmanager
def quiet_stdout():
    """Send what simulators print (build messages, progress bars) to stderr.

    A command's stdout carries its results, one ``name=value`` line each.
    """
    with contextlib.redirect_stdout(sys.stderr):
        yield


def backend_list(text):
    """An argparse ``type``: comma-separated backend names, each resolved."""
    backends = [b.strip() for b in text.split(",") if b.strip()]
    if not backends:
        raise argparse.ArgumentTypeError("give at least one backend")
    try:
        return [resolve_backend(b) for b in backends]
    except ValidationError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _whole_number(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None


def positive_int(text):
    """An argparse ``type``: a whole number of at least 1."""
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def nonnegative_int(text):
    """An argparse ``type``: a whole number of at least 0."""
    value = _whole_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0 (got {value})")
    return value


def _items(text, parse):
    """``parse`` applied to each item of a comma-separated list; at least one item."""
    items = comma_list(text)
    if not items:
        raise argparse.ArgumentTypeError(f"give at least one value (got {text!r})")
    return [parse(item) for item in items]


def positive_int_list(text):
    """An argparse ``type``: comma-separated whole numbers, each at least 1."""
    return _items(text, positive_int)


def readout_synapse_arg(text):
    """``--readout-synapse``: a time constant in seconds, ``none``, or ``recipe``."""
    if text == "recipe":  # the default (argparse passes string defaults through here)
        return text
    if text.lower() == "none":
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(
            f"must be a positive time constant in seconds or 'none' (got {text!r})"
        )
    return value
