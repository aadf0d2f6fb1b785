"""Test configuration: one suite, parametrized over backends.

Tests that take the ``Simulator`` (or ``backend``) fixture run once per
backend given with ``--backends`` (default: nengo, dl and loihi-sim; the
full matrix adds ``loihi``, which needs a board). ``seed`` and ``rng`` ignore
the backend parameter, so the same network gets the same seed on every
backend. Slow tests are marked ``slow`` and run with ``--slow`` (nengo's
pytest plugin provides both); ``@pytest.mark.slow_on("loihi-sim")`` makes a
test slow on the given backends only (the emulator runs a spiking network some
10-50 times slower than nengo).

A test of a feature that some backends lack is marked
``@pytest.mark.backends_lack("loihi-sim", "loihi", reason="...")``: on those
backends it is skipped with that reason, never passed silently.

A test that needs an optional extra is marked ``dl`` (nengo-dl and TensorFlow)
or ``loihi`` (nengo-loihi); the backend parameter adds the mark itself, and so
does a folder of such tests (``tests/training/``: NengoDL trains). Where
the extra's package is not installed (the core stack of ``make test-core``)
the test is skipped, naming the extra to install; ``-m "not dl and not loihi"``
deselects them all.
"""

import functools
import importlib.util
import pathlib
import re

import nengo
import numpy as np
import pytest
from pytest_rng.plugin import Seed

import nengo_lmu

DEFAULT_BACKENDS = "nengo,dl,loihi-sim"
# marker -> (the package its tests need, the extra that installs it)
EXTRA_MARKERS = {"dl": ("nengo_dl", "dl"), "loihi": ("nengo_loihi", "loihi")}
# a folder of tests/ whose every test needs an extra -> its marker
EXTRA_FOLDERS = {"training": "dl"}

# progressbar2 (NengoDL's build bars) keeps the sys.stdout and sys.stderr that are
# current when its ``progressbar.utils`` is first imported (its ``streams``), for
# good: first imported inside a test that captures output (a command that imports
# NengoDL), it writes every later bar to that test's closed capture file ("I/O
# operation on closed file"). Imported here, it keeps the session's streams.
if importlib.util.find_spec("progressbar") is not None:
    importlib.import_module("progressbar.utils")
TESTS = pathlib.Path(__file__).parent
_BACKEND_ID = re.compile(
    r"-?backend=(?:%s)"
    % "|".join(sorted(map(re.escape, nengo_lmu.BACKENDS), key=len, reverse=True))
)


def pytest_configure(config):
    # the cache may hold files written by another numpy, which breaks building
    nengo.rc.set("decoder_cache", "enabled", "False")
    config.addinivalue_line(
        "markers",
        "backends_lack(*backends, reason): skip the test on these backends, "
        "saying why (a feature they do not have)",
    )
    config.addinivalue_line(
        "markers",
        "slow_on(*backends): the test is slow (runs only with --slow) on these backends",
    )
    for marker, (module, extra) in EXTRA_MARKERS.items():
        config.addinivalue_line(
            "markers",
            f"{marker}: needs {module} (pip install nengo-lmu[{extra}]); skipped without it",
        )


def extra_marker(backend):
    """The marker of the extra a backend needs (None for nengo, in the core)."""
    if backend == "dl":
        return "dl"
    return "loihi" if nengo_lmu.backends.is_loihi_backend(backend) else None


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        path = pathlib.Path(item.path)
        if TESTS in path.parents and path.relative_to(TESTS).parts[0] in EXTRA_FOLDERS:
            item.add_marker(EXTRA_FOLDERS[path.relative_to(TESTS).parts[0]])
    missing = {
        marker: f"needs {module}, not installed (pip install nengo-lmu[{extra}])"
        for marker, (module, extra) in EXTRA_MARKERS.items()
        if importlib.util.find_spec(module) is None
    }
    for item in items:
        for marker, reason in missing.items():
            if item.get_closest_marker(marker) is not None:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_addoption(parser):
    parser.addoption(
        "--backends",
        default=DEFAULT_BACKENDS,
        help=f"Comma-separated backends to run the suite on "
        f"(choices: {', '.join(nengo_lmu.BACKENDS)}; default: {DEFAULT_BACKENDS})",
    )


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        backends = [b.strip() for b in metafunc.config.getoption("backends").split(",")]
        for backend in backends:
            nengo_lmu.backends.resolve_backend(backend)  # fail early on a typo
        lacking = _lacking_backends(metafunc.definition)
        slow_on = {
            b for marker in metafunc.definition.iter_markers("slow_on") for b in marker.args
        }
        params = []
        for b in backends:
            marks = [pytest.mark.skip(reason=f"{b}: {lacking[b]}")] if b in lacking else []
            if b in slow_on:
                marks.append(pytest.mark.slow)
            if extra_marker(b) is not None:
                marks.append(getattr(pytest.mark, extra_marker(b)))
            params.append(pytest.param(b, marks=marks))
        metafunc.parametrize("backend", params, ids=[f"backend={b}" for b in backends])


def _lacking_backends(definition):
    """Backend -> reason, from the test's ``backends_lack`` markers."""
    lacking = {}
    for marker in definition.iter_markers("backends_lack"):
        reason = marker.kwargs.get("reason")
        if not reason:
            raise ValueError(f"{definition.nodeid}: backends_lack needs a reason=")
        for backend in marker.args:
            nengo_lmu.backends.resolve_backend(backend)  # fail early on a typo
            lacking.setdefault(backend, reason)
    return lacking


@pytest.fixture
def Simulator(backend):
    """``nengo_lmu.Simulator`` for the backend this test is parametrized on."""
    return functools.partial(nengo_lmu.Simulator, backend=backend)


def _id_without_backend(request):
    nodeid = _BACKEND_ID.sub("", request.node.nodeid)
    return nodeid.replace("[-", "[").replace("[]", "")


@pytest.fixture
def seed(request):
    """A seed from the test's id, the same on every backend."""
    return Seed.generate(_id_without_backend(request))


@pytest.fixture
def rng(request):
    """A random state from the test's id, the same on every backend."""
    return np.random.RandomState(
        Seed.generate(_id_without_backend(request), extra_salt="rng")
    )
