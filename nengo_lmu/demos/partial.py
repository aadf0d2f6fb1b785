"""Ctrl-C during a demo: the part simulated so far is kept, scored and plotted.

A demo's simulator runs in chunks of `CHUNK_SECONDS` (`ChunkedRun`), each
counted once complete, so that Ctrl-C loses at most the chunk under way:
NengoDL hands back no probe data from a run it was interrupted in, and
nengo's probes may be a step apart after one. The demo then scores the steps
completed, and `finish` raises `.DemoInterrupted` with those metrics if the
run was cut short.
"""

import contextlib
import warnings

import numpy as np
from nengo.utils.progress import Progress, ProgressTracker

from nengo_lmu.backends import is_loihi_backend, resolve_backend
from nengo_lmu.exceptions import DemoInterrupted

#: simulated seconds per chunk: what Ctrl-C can lose at most
CHUNK_SECONDS = 1.0


class ChunkedRun:
    """Run a simulator in chunks, counting the steps completed; Ctrl-C ends it.

    Used as a context manager around the runs: a ``KeyboardInterrupt`` inside
    it is caught, ``interrupted`` set, and ``steps`` holds the steps whose
    chunks completed. One progress bar covers all of ``n_steps``.

    Parameters
    ----------
    sim : simulator
        A built simulator of ``backend``.
    backend : str or None
        Its backend (None: the default, see `.resolve_backend`). A Loihi
        board runs each ``run_steps`` in one go: every run of a board costs a
        start-up.
    n_steps : int
        The steps the whole run will take (for the progress bar).
    dt : float
        The simulator's time step.
    progress_bar : bool
        Whether to show the progress bar (on stdout, as the simulators do).
    """

    def __init__(self, sim, backend, n_steps, dt, progress_bar=True):
        backend = resolve_backend(backend)
        self.sim = sim
        self.steps = 0
        self.interrupted = False
        self.chunk = max(int(round(CHUNK_SECONDS / dt)), 1)
        if backend == "loihi":
            self.chunk = n_steps
        # one bar for the whole run, not one per chunk
        self._options = {} if is_loihi_backend(backend) else {"progress_bar": False}
        self._tracker = ProgressTracker(
            progress_bar, Progress("Simulating", "Simulation", n_steps)
        )

    def __enter__(self):
        self._tracker.__enter__()
        return self

    def __exit__(self, kind, value, traceback):
        self._tracker.__exit__(kind, value, traceback)
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            self.interrupted = True
            return True
        return False

    def run_steps(self, steps):
        """Run ``steps`` more steps, chunk by chunk."""
        while steps > 0:
            n = min(steps, self.chunk)
            self.sim.run_steps(n, **self._options)
            self.steps += n
            steps -= n
            self._tracker.total_progress.step(n)


@contextlib.contextmanager
def scoring(partial):
    """Score a run; if ``partial``, quietly, as some metrics have no data yet.

    A metric over a period not reached is the mean of nothing: NaN, which
    `finish` leaves out; numpy's warnings about it would only be noise.
    """
    if not partial:
        yield
        return
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        warnings.filterwarnings("ignore", "invalid value", RuntimeWarning)
        yield


def finish(metrics, steps, n_steps, dt, plot=None):
    """Return ``metrics`` of a complete run; raise `.DemoInterrupted` for a partial one.

    A partial run's metrics keep only finite numbers and the non-numbers
    (names, settings): a score over an unreached period is left out.
    ``plot`` is where the part run was plotted, if it was.
    """
    if steps >= n_steps:
        return metrics
    kept = {
        name: value for name, value in metrics.items()
        if not isinstance(value, float) or np.isfinite(value)
    }
    raise DemoInterrupted(
        kept, simulated_seconds=steps * dt, duration=n_steps * dt, plot=plot
    )
