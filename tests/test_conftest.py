"""The suite's own fixtures: the same seed on every backend."""

import re

import pytest

RECORD = re.compile(r"SEED (\S+) (\S+) (\S+) (\S+)")

pytest_plugins = ["pytester"]


@pytest.mark.dl
def test_seed_ignores_backend(pytester, request):
    pytester.makeconftest((request.config.rootpath / "tests" / "conftest.py").read_text())
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", [1, 2])
        def test_record(Simulator, backend, n, seed, rng):
            print(f"SEED {backend} {n} {seed} {rng.randint(1 << 30)}")
        """
    )
    result = pytester.runpytest("-s", "--backends", "nengo,dl", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    lines = [m.groups() for m in map(RECORD.search, result.outlines) if m]
    assert len(lines) == 4
    by_backend = {}
    for backend, n, seed, draw in lines:
        by_backend.setdefault(backend, {})[n] = (seed, draw)
    assert by_backend["nengo"] == by_backend["dl"]
    assert by_backend["nengo"]["1"] != by_backend["nengo"]["2"]


@pytest.mark.dl
def test_backends_lack_skips_with_the_reason(pytester, request):
    pytester.makeconftest((request.config.rootpath / "tests" / "conftest.py").read_text())
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.backends_lack("dl", reason="no such feature")
        def test_feature(Simulator, backend):
            assert backend == "nengo"

        @pytest.mark.slow_on("dl")
        def test_slow_there(Simulator, backend):
            pass
        """
    )
    result = pytester.runpytest("-rs", "--backends", "nengo,dl", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, skipped=2)
    result.stdout.fnmatch_lines(["*dl: no such feature*"])
    result = pytester.runpytest("--slow", "--backends", "nengo,dl", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, skipped=1)


def test_missing_extra_skips_or_deselects(pytester, request):
    """Without an extra's package its tests are skipped, naming the extra, or deselected."""
    conftest = (request.config.rootpath / "tests" / "conftest.py").read_text()
    assert '"dl": ("nengo_dl", "dl")' in conftest
    pytester.makeconftest(conftest.replace('"dl": ("nengo_dl", "dl")', '"dl": ("no_such_pkg", "dl")'))
    pytester.makepyfile(
        """
        import pytest

        def test_on_backend(Simulator, backend):
            pass

        @pytest.mark.dl
        def test_needs_dl():
            pass

        def test_core():
            pass
        """
    )
    result = pytester.runpytest("-rs", "--backends", "nengo,dl", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, skipped=2)
    result.stdout.fnmatch_lines(["*needs no_such_pkg, not installed (pip install nengo-lmu[[]dl[]])*"])
    result = pytester.runpytest(
        "-m", "not dl and not loihi", "--backends", "nengo,dl", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=2, deselected=2)
