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
"""

import functools
import re

import nengo
import numpy as np
import pytest
from pytest_rng.plugin import Seed

import nengo_lmu

DEFAULT_BACKENDS = "nengo,dl,loihi-sim"
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
