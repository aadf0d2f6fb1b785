"""A table of bad inputs, each with the error it must get (issue 17).

Every case fails before any build or run: milliseconds each.
"""

import math

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

import nengo_lmu
from nengo_lmu import cli
from nengo_lmu.exceptions import LoihiPreflightError, ModelFileError
from nengo_lmu.loihi import check_loihi_ready
from nengo_lmu.networks import LegendreMemory, LMUCell
from nengo_lmu.principle3 import continuous_principle3, discrete_principle3
from nengo_lmu.training.spec import load_model, save_model
from nengo_lmu.utils.files import save_figure

NAN, INF = float("nan"), float("inf")
A, B = nengo_lmu.legendre_ab(4, 1.0)

# (id, callable, error class, text the message must contain: the parameter)
API_CASES = [
    ("memory-theta-nan", lambda: LegendreMemory(4, NAN), ValidationError, "theta"),
    ("memory-theta-inf", lambda: LegendreMemory(4, INF), ValidationError, "theta"),
    ("memory-theta-neginf", lambda: LegendreMemory(4, -INF), ValidationError, "theta"),
    ("memory-theta-bool", lambda: LegendreMemory(4, True), ValidationError, "theta"),
    ("memory-theta-zero", lambda: LegendreMemory(4, 0.0), ValidationError, "theta"),
    ("memory-theta-str", lambda: LegendreMemory(4, "1"), ValidationError, "theta"),
    ("memory-order-nan", lambda: LegendreMemory(NAN, 1.0), ValidationError, "order"),
    ("memory-order-inf", lambda: LegendreMemory(INF, 1.0), ValidationError, "order"),
    ("memory-order-bool", lambda: LegendreMemory(True, 1.0), ValidationError, "order"),
    ("memory-order-zero", lambda: LegendreMemory(0, 1.0), ValidationError, "order"),
    ("memory-order-float", lambda: LegendreMemory(2.5, 1.0), ValidationError, "order"),
    ("memory-size-in-zero", lambda: LegendreMemory(4, 1.0, size_in=0), ValidationError, "size_in"),
    ("memory-size-in-bool", lambda: LegendreMemory(4, 1.0, size_in=True), ValidationError, "size_in"),
    ("memory-n-neurons-zero", lambda: LegendreMemory(4, 1.0, n_neurons=0), ValidationError, "n_neurons"),
    ("memory-n-neurons-nan", lambda: LegendreMemory(4, 1.0, n_neurons=NAN), ValidationError, "n_neurons"),
    ("cell-theta-nan", lambda: LMUCell(8, 4, NAN), ValidationError, "theta"),
    ("cell-theta-inf", lambda: LMUCell(8, 4, INF), ValidationError, "theta"),
    ("cell-units-bool", lambda: LMUCell(True, 4, 1.0), ValidationError, "units"),
    ("cell-units-zero", lambda: LMUCell(0, 4, 1.0), ValidationError, "units"),
    ("cell-order-nan", lambda: LMUCell(8, NAN, 1.0), ValidationError, "order"),
    ("cell-dt-nan", lambda: LMUCell(8, 4, 1.0, dt=NAN), ValidationError, "dt"),
    ("legendre-ab-theta-nan", lambda: nengo_lmu.legendre_ab(4, NAN), ValidationError, "theta"),
    ("legendre-ab-theta-inf", lambda: nengo_lmu.legendre_ab(4, INF), ValidationError, "theta"),
    ("legendre-ab-order-bool", lambda: nengo_lmu.legendre_ab(True, 1.0), ValidationError, "order"),
    ("legendre-ab-order-zero", lambda: nengo_lmu.legendre_ab(0, 1.0), ValidationError, "order"),
    ("discretize-dt-nan", lambda: nengo_lmu.discretize(A, B, NAN), ValidationError, "dt"),
    ("discretize-dt-inf", lambda: nengo_lmu.discretize(A, B, INF), ValidationError, "dt"),
    ("discretize-dt-bool", lambda: nengo_lmu.discretize(A, B, True), ValidationError, "dt"),
    ("discretize-dt-negative", lambda: nengo_lmu.discretize(A, B, -0.001), ValidationError, "dt"),
    ("discretize-method", lambda: nengo_lmu.discretize(A, B, 0.001, method="tf"), ValidationError, "method"),
    ("readout-order-nan", lambda: nengo_lmu.legendre_readout(NAN, 0.5), ValidationError, "order"),
    ("readout-r-nan", lambda: nengo_lmu.legendre_readout(4, NAN), ValidationError, "r"),
    ("readout-r-outside", lambda: nengo_lmu.legendre_readout(4, 1.5), ValidationError, "r"),
    ("impulse-theta-nan", lambda: nengo_lmu.impulse_response(4, NAN, 0.001, 10), ValidationError, "theta"),
    ("impulse-dt-inf", lambda: nengo_lmu.impulse_response(4, 1.0, INF, 10), ValidationError, "dt"),
    ("impulse-n-steps-bool", lambda: nengo_lmu.impulse_response(4, 1.0, 0.001, True), ValidationError, "n_steps"),
    ("impulse-n-steps-zero", lambda: nengo_lmu.impulse_response(4, 1.0, 0.001, 0), ValidationError, "n_steps"),
    ("principle3-tau-nan", lambda: continuous_principle3(A, B, NAN), ValidationError, "tau"),
    ("principle3-tau-inf", lambda: discrete_principle3(A, B, INF, 0.001), ValidationError, "tau"),
    ("principle3-dt-nan", lambda: discrete_principle3(A, B, 0.1, NAN), ValidationError, "dt"),
]


@pytest.mark.parametrize(
    "make, error, name", [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES]
)
def test_api_bad_input(make, error, name):
    with pytest.raises(error) as info:
        make()
    assert name in str(info.value)


def write_bytes(path, data):
    path.write_bytes(data)
    return path


MODEL_FILES = [
    ("missing", lambda d: d / "nonexistent.npz", "no such file"),
    ("directory", lambda d: d, "is a directory"),
    ("corrupt", lambda d: write_bytes(d / "bad.npz", b"PK\x03\x04 not a zip"), "not a readable"),
    ("text", lambda d: write_bytes(d / "bad.npz", b"hello"), "not a readable"),
    ("empty", lambda d: write_bytes(d / "bad.npz", b""), "not a readable"),
    ("foreign-npz", lambda d: np.savez(d / "f.npz", x=np.zeros(3)) or d / "f.npz", "not a nengo-lmu model"),
    ("single-npy", lambda d: np.save(d / "f.npy", np.zeros(3)) or d / "f.npy", "single array"),
    ("other-spec", lambda d: np.savez(d / "f.npz", __spec__=np.array('"x"')) or d / "f.npz", "not a nengo-lmu model spec"),
]


@pytest.mark.parametrize(
    "make, text", [c[1:] for c in MODEL_FILES], ids=[f"load-model-{c[0]}" for c in MODEL_FILES]
)
def test_load_model_bad_file(make, text, tmp_path):
    path = make(tmp_path)
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    assert text in str(info.value) and str(path) in str(info.value)
    assert isinstance(info.value, ValidationError)


CLI_CASES = [
    ("seed-negative", ["demo", "--seed", "-1"], "--seed"),
    ("seed-too-big", ["demo", "--seed", str(2**32)], "--seed"),
    ("seed-not-int", ["demo", "--seed", "1.5"], "--seed"),
    ("duration-nan", ["demo", "--duration", "nan"], "--duration"),
    ("duration-inf", ["demo", "--duration", "inf"], "--duration"),
    ("duration-zero", ["demo", "--duration", "0"], "--duration"),
    ("duration-negative", ["demo", "--duration", "-1"], "--duration"),
    ("plot-dir-under-a-file", ["demo", "--plot", "/dev/null/dir/x.png"], "--plot"),
    ("plot-is-dir", ["demo", "--plot", "/tmp"], "--plot"),
    ("backend-unknown", ["demo", "--backend", "gpu"], "backend"),
    ("demo-unknown", ["demo", "no-such-demo"], "name"),
    ("train-load-missing", ["train", "psdigits", "--load", "/nonexistent.npz"], "nonexistent"),
    ("train-save-dir-under-a-file", ["train", "psdigits", "--save", "/dev/null/dir/m.npz"], "--save"),
    ("train-seed-negative", ["train", "psdigits", "--seed", "-1"], "--seed"),
]


@pytest.mark.parametrize(
    "argv, name", [c[1:] for c in CLI_CASES], ids=[f"cli-{c[0]}" for c in CLI_CASES]
)
def test_cli_bad_input(argv, name, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("nengo-lmu") and "error" in err[-1]
    assert name in err[-1]
    assert "Traceback" not in "\n".join(err)


def test_cli_debug_shows_the_error(capsys):
    with pytest.raises(ValidationError):
        cli.main(["--debug", "train", "psdigits", "--load", "/nonexistent.npz"])


def test_loihi_preflight_names_memory_without_loihi_flag():
    with nengo.Network() as net:
        LegendreMemory(4, 1.0, n_neurons=50, label="my-memory")
    with pytest.raises(LoihiPreflightError) as info:
        check_loihi_ready(net)
    assert "my-memory" in str(info.value) and "loihi=True" in str(info.value)

    with nengo.Network() as net:
        LegendreMemory(4, 1.0, n_neurons=50, loihi=True, label="my-memory")
    check_loihi_ready(net)


def test_save_model_killed_mid_write_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    spec = dict(n_steps=3, size_in=1)
    save_model(path, spec, dict(w=np.arange(3.0)))
    before = path.read_bytes()

    def partial_savez(file, **arrays):
        file.write(b"PK\x03\x04 half a file")
        raise KeyboardInterrupt  # killed mid-save

    monkeypatch.setattr(np, "savez", partial_savez)
    with pytest.raises(KeyboardInterrupt):
        save_model(path, spec, dict(w=np.zeros(3)))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    monkeypatch.undo()
    loaded, params = load_model(path)
    assert loaded == spec and np.array_equal(params["w"], np.arange(3.0))


def test_case_count():
    n = len(API_CASES) + len(MODEL_FILES) + len(CLI_CASES)
    assert n >= 60, n
    assert not math.isnan(n)


def test_save_figure_failing_mid_write_keeps_old_plot(tmp_path, monkeypatch):
    import matplotlib  # pylint: disable=import-outside-toplevel

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    path = tmp_path / "plot.png"
    fig = plt.figure()
    save_figure(fig, path)
    before = path.read_bytes()
    assert before.startswith(b"\x89PNG")

    def partial(self, file, **kwargs):
        file.write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(type(fig), "savefig", partial)
    with pytest.raises(OSError):
        save_figure(fig, path)
    plt.close(fig)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plot.png"]


def test_cli_ctrl_c_exits_130(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run_demo", interrupted)
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "ideal-delay", "--duration", "0.1"])
    assert info.value.code == 130
    assert capsys.readouterr().err.strip() == "nengo-lmu: interrupted"
