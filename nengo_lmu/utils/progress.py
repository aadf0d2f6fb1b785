"""Progress bars that stay bars on a terminal and become a few lines in a log.

A tqdm bar redraws itself with ``\\r`` at every update; sent to a file (a
training's log, CI's output) every redraw stays, and a long training writes
megabytes of them. `tqdm` here is tqdm's own bar, unchanged on a terminal; on
anything else it redraws only every `LOG_STEP` of its total (tqdm's
``miniters``), or every `LOG_SECONDS` for a bar of unknown length (its
``mininterval``), each redraw as a line of its own, and ends with the final
count.
"""

import math
import re
import sys

from tqdm import tqdm as _tqdm

LOG_STEP = 0.05  # a line per 5 % of the total
LOG_SECONDS = 30.0  # a line per 30 s for a bar of unknown length
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def is_terminal(file):
    """Whether ``file`` is an interactive terminal (where bars redraw in place)."""
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


class _LineWriter:
    """Writes each of tqdm's in-place redraws as a line of its own.

    tqdm writes ``\\r`` + the bar + padding (and, for nested bars, cursor
    moves); this keeps the bar's text, one line per redraw, dropping empty
    redraws (a cleared bar) and repeats of the line just written.
    """

    def __init__(self, file):
        self.file = file
        self._last = None

    def write(self, text):
        for piece in re.split(r"[\r\n]", _ANSI.sub("", str(text))):
            piece = piece.rstrip()
            if piece and piece != self._last:
                self.file.write(piece + "\n")
                self._last = piece

    def flush(self):
        getattr(self.file, "flush", lambda: None)()

    @staticmethod
    def isatty():
        return False


class tqdm(_tqdm):  # pylint: disable=invalid-name
    """tqdm's bar (same arguments); a few lines instead of redraws off a terminal.

    On a terminal (``file``, by default stderr, is a tty) nothing differs from
    ``tqdm.tqdm``. Elsewhere the bar is drawn once per `LOG_STEP` of ``total``
    (or per `LOG_SECONDS` without one), a line each time, postfix changes
    wait for the next line rather than redrawing, and the final count is
    drawn when the bar closes (also with ``leave=False``).
    """

    def __init__(self, iterable=None, *args, **kwargs):
        file = kwargs.get("file")
        file = sys.stderr if file is None else file
        self._logging = not is_terminal(file)
        if self._logging and not kwargs.get("disable", False):
            total = kwargs.get("total")
            if total is None and iterable is not None and hasattr(iterable, "__len__"):
                total = len(iterable)
            kwargs["file"] = _LineWriter(file)
            # tqdm's monitor thread would otherwise force a redraw every
            # maxinterval and drop miniters to 1 for good
            kwargs["maxinterval"] = math.inf
            if total:
                kwargs["miniters"] = max(1, math.ceil(total * LOG_STEP))
                kwargs["mininterval"] = 0
            else:
                kwargs["mininterval"] = LOG_SECONDS
        super().__init__(iterable, *args, **kwargs)

    def set_postfix(self, ordered_dict=None, refresh=True, **kwargs):
        super().set_postfix(ordered_dict, refresh=refresh and not self._logging, **kwargs)

    def set_description(self, desc=None, refresh=True):
        super().set_description(desc, refresh=refresh and not self._logging)

    def close(self):
        if self._logging and not self.disable and self.n != self.last_print_n:
            self.refresh()
        super().close()
