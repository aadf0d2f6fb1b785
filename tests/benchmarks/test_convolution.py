"""``nengo-lmu bench convolution`` times both methods and they agree."""

from nengo_lmu.benchmarks import convolution


def test_both_methods_are_timed_and_agree():
    rows = convolution.run_convolution(shapes=(("tiny", 3, 30, 8),), seed=1)
    (row,) = rows
    assert row["fft_seconds"] > 0 and row["direct_seconds"] > 0
    assert row["max_difference"] < 1e-5
