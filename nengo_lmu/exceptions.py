"""Every error and warning nengo-lmu raises, on nengo's own base classes.

Bad input is a `nengo.exceptions.ValidationError` naming the parameter (nengo's
own, raised by `nengo_lmu.params`); the classes here are the failures that are
not a parameter's fault, or that code may want to catch by their own name.
"""

import signal

from nengo.exceptions import BuildError, NengoException, NengoWarning, ValidationError


class UnstableDiscretizationWarning(NengoWarning, UserWarning):
    """A discretized system has eigenvalues outside the unit circle."""


class BackendUnavailableError(NengoException, RuntimeError):
    """A backend cannot run here (its package or hardware is missing)."""


class MissingExtraError(BackendUnavailableError, ImportError):
    """An optional extra's package is not installed.

    Its message is one line naming what needs it and the command that
    installs it (``pip install nengo-lmu[dl]``). It is an ``ImportError``
    too, which is what it is to code that handles optional imports.
    """


class LoihiPreflightError(BuildError):
    """A network has objects that cannot go on the Loihi chip.

    Attributes
    ----------
    problems : list of (object, str)
        Each offending object and why it cannot go on the chip.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        lines = [f"  - {obj}: {reason}" for obj, reason in self.problems]
        super().__init__(
            f"{len(self.problems)} object(s) cannot go on the Loihi chip:\n"
            + "\n".join(lines)
            + "\nFix them, or mark an ensemble as off-chip with "
            "nengo_loihi.add_params(net); net.config[ens].on_chip = False."
        )


class DatasetNotFoundError(ValidationError, FileNotFoundError):
    """A data set's files are in none of the places a loader looks.

    It is a ``FileNotFoundError``, which is what it is (code that handles
    missing files catches it as such), and a ``nengo.exceptions.ValidationError``
    on ``path``, as every other bad input to nengo-lmu (so the command line
    reports it as a one-line error rather than a traceback). Its message lists
    every place looked in and where to put the files. Nothing is ever downloaded.
    """


class DatasetFormatError(ValidationError):
    """A data set's file is there but is not what it should be.

    Raised for a wrong magic number, a header that disagrees with the data,
    images that are not 28x28, image and label counts that differ, or labels
    outside 0-9. Its ``attr`` is the offending file.
    """


class ModelFileError(ValidationError):
    """A saved model cannot be read: missing, a directory, corrupt, or not a model.

    Its ``attr`` is ``path``; the message names the file and what is wrong.
    """


class DemoInterrupted(KeyboardInterrupt):
    """Ctrl-C during a demo's run, with the metrics of the part simulated.

    It is a ``KeyboardInterrupt`` (code that stops on Ctrl-C still stops),
    raised by a demo after it has scored, and plotted if asked, the steps
    its simulator completed (see `nengo_lmu.demos.partial`).

    Attributes
    ----------
    metrics : dict
        The demo's metrics over the part simulated; those that need a part
        of the run not reached (e.g. the test period) are left out.
    simulated_seconds, duration : float
        The simulated time reached, and the run's full length.
    plot : str or None
        Where the part run was plotted (None: not asked for, or too short).
    """

    def __init__(self, metrics, simulated_seconds, duration, plot=None):
        self.metrics = dict(metrics)
        self.plot = plot
        self.simulated_seconds = simulated_seconds
        self.duration = duration
        super().__init__(
            f"interrupted after {simulated_seconds:g} of {duration:g} simulated seconds"
            " (the metrics are of that part)"
        )


class CheckpointError(ValidationError):
    """A training checkpoint cannot be resumed from: missing, corrupt, or another training's.

    Its ``attr`` is ``checkpoint``; the message names the file and, for a
    checkpoint of another model or training, what differs.
    """


class StopSignal(KeyboardInterrupt):
    """SIGTERM or SIGHUP stopped a run (see `nengo_lmu.utils.signals`).

    A ``KeyboardInterrupt``, so that whatever saves its work on Ctrl-C saves
    it when a scheduler, ``timeout`` or a closed terminal stops the run.

    Attributes
    ----------
    signum : int
        The signal's number (the command line exits with ``128 + signum``).
    """

    def __init__(self, signum):
        self.signum = int(signum)
        super().__init__(f"stopped by {signal.Signals(self.signum).name}")


class TrainingInterrupted(KeyboardInterrupt):
    """Training was interrupted (Ctrl-C, SIGTERM, SIGHUP); it carries what had been trained so far.

    A ``KeyboardInterrupt``, so that code that does not look for it stops as
    on any Ctrl-C.

    Attributes
    ----------
    params : dict
        The model's params when it was interrupted (those of `build_model`).
    info : dict
        As `nengo_lmu.training.fit` returns it, for the part trained:
        ``epochs_done``, ``batches``, ``losses`` (per finished epoch), and
        ``checkpoint`` (the last one written, or None).
    spec : dict or None
        The model's spec (set by `nengo_lmu.training.train_classifier`).
    signum : int
        The signal that stopped it (``signal.SIGINT`` for Ctrl-C).
    """

    def __init__(self, params, info, spec=None, signum=signal.SIGINT):
        self.signum = int(signum)
        name = signal.Signals(self.signum).name
        why = "" if self.signum == signal.SIGINT else f" (stopped by {name})"
        super().__init__(f"training interrupted after {info['epochs_done']} full epoch(s){why}")
        self.params = params
        self.info = info
        self.spec = spec
