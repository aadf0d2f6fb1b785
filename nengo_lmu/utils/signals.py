"""SIGTERM and SIGHUP stop a run as Ctrl-C does: its work is saved, not lost.

A batch scheduler, ``timeout``, systemd or a container runtime stops a process
with SIGTERM; a closed terminal sends SIGHUP. Python's default for both is to
die on the spot, with nothing saved. Inside `stop_signals` each raises
`.StopSignal`, a ``KeyboardInterrupt``, in the main thread instead, so every
place that saves its work on Ctrl-C (a training's model and checkpoint, a
demo's partial metrics and plot) saves it on these too, and the command line
exits with ``128 + the signal's number``, as a shell reports a process that
signal killed.
"""

import contextlib
import signal
import threading

from nengo_lmu.exceptions import StopSignal

#: the signals handled as Ctrl-C is
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)

# the signal that stopped the run of the current (or last) outermost
# stop_signals block; None: none did
_stopped = {"signum": None}


def _raise_stop(signum, frame):
    if _stopped["signum"] is not None:
        # the run is already stopping, maybe saving its work: a second signal
        # (systemd and the shells send more than one) must not cut that short
        return
    _stopped["signum"] = signum
    raise StopSignal(signum)


@contextlib.contextmanager
def stop_signals():
    """Inside this block, SIGTERM and SIGHUP raise `.StopSignal` (a ``KeyboardInterrupt``).

    Only signals left at the default action are taken over: one ignored
    (``nohup`` ignores SIGHUP) stays ignored, and a handler the program set
    stays its own. Nested blocks are the outermost one; outside a main
    thread (where Python cannot set handlers) the block changes nothing.
    Once the run is stopping, further SIGTERM or SIGHUP are ignored so that
    it can save its work; SIGKILL still ends it.
    """
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in STOP_SIGNALS:
            if signal.getsignal(signum) is signal.SIG_DFL:
                previous[signum] = signal.signal(signum, _raise_stop)
    if previous:
        _stopped["signum"] = None
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def stopped_by(error=None):
    """The signal that stopped a run: ``error``'s ``signum``, else the last caught, else SIGINT.

    ``error`` is the ``KeyboardInterrupt`` a run ended with; one that does not
    say its signal (a demo's `.DemoInterrupted`) was raised on behalf of the
    last signal `stop_signals` caught, if any, else of Ctrl-C.
    """
    signum = getattr(error, "signum", None)
    if signum is None:
        signum = _stopped["signum"]
    return signal.Signals(signal.SIGINT if signum is None else signum)


def exit_code(error=None):
    """A run's exit status after ``error`` (see `stopped_by`): 128 + the signal's number."""
    return 128 + stopped_by(error)


def interrupted_message(error):
    """One line for a run that ``error`` (a ``KeyboardInterrupt``) stopped, naming the signal."""
    text = str(error) or "interrupted"
    name = stopped_by(error).name
    if name != "SIGINT" and name not in text:
        text = f"{text} (stopped by {name})"
    return text
