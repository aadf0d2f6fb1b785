"""A table of bad inputs, each with the error it must get (issue 17).

Every case fails before any build or run: milliseconds each.
"""

import argparse
import errno
import importlib.util
import os
import re
import shutil
import signal
import stat
import subprocess

import nengo
import numpy as np
import pytest
from nengo.exceptions import ValidationError

import nengo_lmu
from nengo_lmu import cli
from nengo_lmu.backends import EXTRAS, resolve_backend
from nengo_lmu.benchmarks.batched import compare_batched
from nengo_lmu.benchmarks.throughput import run_throughput
from nengo_lmu.datasets import load_images, mackey_glass, psdigits, psmnist, read_idx
from nengo_lmu.demos import run_demo
from nengo_lmu.demos.learn_delay import run_delay_learning_demo
from nengo_lmu.demos.learn_product import run_product_learning_demo
from nengo_lmu.demos.mackey_glass import run_mackey_glass_demo
from nengo_lmu.exceptions import DemoInterrupted, LoihiPreflightError, ModelFileError
from nengo_lmu.loihi import check_loihi_ready
from nengo_lmu.convert.nir import import_nir, save_nir
from nengo_lmu.networks import LearnedReadout, LegendreMemory, LMUCell
from nengo_lmu.principle3 import continuous_principle3, discrete_principle3
from nengo_lmu.training.checkpoint import load_checkpoint, save_checkpoint
from nengo_lmu.training.fit import fit, train_classifier, train_regressor
from nengo_lmu.training.sequences import sequence_model
from nengo_lmu.training.spec import load_model, make_spec, save_model
from nengo_lmu.utils.files import atomic_write, save_figure
from tests.training.test_checkpoint import LONG_TRAIN, checkpoint_epochs, start_training

NAN, INF = float("nan"), float("inf")
A, B = nengo_lmu.legendre_ab(4, 1.0)
SPEC = make_spec("classify", 4, 1, 2, units=3, order=2)
X = np.zeros((2, 4, 1))
DATA = ((np.zeros((4, 4, 1)), np.array([0, 1, 0, 1])), (np.zeros((2, 4, 1)), np.array([0, 1])))

# (id, callable, error class, the parameter the error names: its ``attr``)
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
    # demos, through run_demo: checked before anything is built
    ("run-demo-seed-negative", lambda: run_demo("ideal-delay", seed=-1), ValidationError, "seed"),
    ("run-demo-seed-too-big", lambda: run_demo("ideal-delay", seed=2**32), ValidationError, "seed"),
    ("run-demo-seed-bool", lambda: run_demo("ideal-delay", seed=True), ValidationError, "seed"),
    ("run-demo-seed-float", lambda: run_demo("ideal-delay", seed=1.5), ValidationError, "seed"),
    ("run-demo-duration-nan", lambda: run_demo("ideal-delay", duration=NAN), ValidationError, "duration"),
    ("run-demo-duration-zero", lambda: run_demo("ideal-delay", duration=0), ValidationError, "duration"),
    ("run-demo-duration-bool", lambda: run_demo("ideal-delay", duration=True), ValidationError, "duration"),
    ("run-demo-duration-under-a-cycle", lambda: run_demo("learn-delay", duration=0.1), ValidationError, "duration"),
    ("run-demo-duration-no-test-period", lambda: run_demo("mackey-glass", duration=5.0), ValidationError, "duration"),
    ("run-demo-plot-dir-under-a-file", lambda: run_demo("ideal-delay", plot="/dev/null/d/p.png"), ValidationError, "plot"),
    ("run-demo-population-elsewhere", lambda: run_demo("learn-delay", population="pairs"), ValidationError, "population"),
    ("run-demo-unknown", lambda: run_demo("no-such-demo"), ValidationError, "name"),
    # seeds are 32-bit (numpy's RandomState); bools are not numbers
    ("psdigits-seed-too-big", lambda: psdigits(seed=2**32), ValidationError, "seed"),
    ("psdigits-perm-seed-too-big", lambda: psdigits(perm_seed=2**32), ValidationError, "perm_seed"),
    ("psdigits-perm-seed-bool", lambda: psdigits(perm_seed=True), ValidationError, "perm_seed"),
    ("sequence-model-gap-steps-bool", lambda: sequence_model(SPEC, None, X, gap_steps=True), ValidationError, "gap_steps"),
    ("sequence-model-delay-steps-nan", lambda: sequence_model(SPEC, None, X, delay_steps=NAN), ValidationError, "delay_steps"),
    ("batched-n-signals-bool", lambda: compare_batched(n_signals=True), ValidationError, "n_signals"),
    ("throughput-steps-batches-bool", lambda: run_throughput("psdigits", steps_batches=True), ValidationError, "steps_batches"),
    ("throughput-keras-sequences-inf", lambda: run_throughput("psdigits", keras_sequences=INF), ValidationError, "keras_sequences"),
    # nengo itself takes a NaN, negative or boolean time step
    ("simulator-dt-nan", lambda: nengo_lmu.Simulator(nengo.Network(), dt=NAN), ValidationError, "dt"),
    ("simulator-dt-bool", lambda: nengo_lmu.Simulator(nengo.Network(), dt=True), ValidationError, "dt"),
    ("simulator-dt-negative", lambda: nengo_lmu.Simulator(nengo.Network(), dt=-0.001), ValidationError, "dt"),
    ("memory-add-delays-empty", lambda: memory().add_delays([]), ValidationError, "delays"),
    ("memory-readout-beyond-window", lambda: memory().readout_transform([2.0]), ValidationError, "delays"),
    ("learned-readout-learning-rate-nan", lambda: LearnedReadout(memory(), n_neurons=10, learning_rate=NAN), ValidationError, "learning_rate"),
    ("learned-readout-n-neurons-bool", lambda: LearnedReadout(memory(), n_neurons=True), ValidationError, "n_neurons"),
    ("learned-readout-not-a-memory", lambda: LearnedReadout("memory", n_neurons=10), ValidationError, "memory"),
    ("mackey-glass-series-n-samples-bool", lambda: mackey_glass(True), ValidationError, "n_samples"),
    ("psdigits-test-fraction-nan", lambda: psdigits(test_fraction=NAN), ValidationError, "test_fraction"),
    # the demos' own functions: the parameter named, not what it breaks inside
    ("learn-delay-delay-beyond-window", lambda: run_delay_learning_demo(delay=2.0, duration=1.0), ValidationError, "delay"),
    ("learn-product-delay-beyond-window", lambda: run_product_learning_demo(delay=1.5, duration=1.0), ValidationError, "delay"),
    ("learn-delay-test-fraction-nan", lambda: run_delay_learning_demo(test_fraction=NAN, duration=1.0), ValidationError, "test_fraction"),
    ("learn-delay-test-fraction-one", lambda: run_delay_learning_demo(test_fraction=1.0, duration=1.0), ValidationError, "test_fraction"),
    ("learn-product-test-fraction-zero", lambda: run_product_learning_demo(test_fraction=0.0, duration=1.0), ValidationError, "test_fraction"),
    ("mackey-glass-test-fraction-nan", lambda: run_mackey_glass_demo(test_fraction=NAN, duration=10.0), ValidationError, "test_fraction"),
    # make_spec: every argument checked as the networks' parameters are (issue 27)
    ("make-spec-theta-nan", lambda: spec(theta=NAN), ValidationError, "theta"),
    ("make-spec-theta-inf", lambda: spec(theta=INF), ValidationError, "theta"),
    ("make-spec-theta-zero", lambda: spec(theta=0.0), ValidationError, "theta"),
    ("make-spec-theta-bool", lambda: spec(theta=True), ValidationError, "theta"),
    ("make-spec-dt-bool", lambda: spec(dt=True), ValidationError, "dt"),
    ("make-spec-dt-nan", lambda: spec(dt=NAN), ValidationError, "dt"),
    ("make-spec-dt-negative", lambda: spec(dt=-0.001), ValidationError, "dt"),
    ("make-spec-seed-negative", lambda: spec(seed=-1), ValidationError, "seed"),
    ("make-spec-seed-float", lambda: spec(seed=0.5), ValidationError, "seed"),
    ("make-spec-readout-synapse-nan", lambda: spec(readout_synapse=NAN), ValidationError, "readout_synapse"),
    ("make-spec-readout-synapse-negative", lambda: spec(readout_synapse=-0.005), ValidationError, "readout_synapse"),
    ("make-spec-readout-synapse-str", lambda: spec(readout_synapse="0.005"), ValidationError, "readout_synapse"),
    ("make-spec-size-out-zero", lambda: make_spec("classify", 4, 1, 0, 3, 2), ValidationError, "size_out"),
    ("make-spec-task-list", lambda: make_spec(["classify"], 4, 1, 2, 3, 2), ValidationError, "task"),
    ("make-spec-neuron-type-list", lambda: spec(neuron_type=["relu"]), ValidationError, "neuron_type"),
    ("make-spec-cell-option-int", lambda: spec(hidden_bias=1), ValidationError, "hidden_bias"),
    ("make-spec-cell-option-str", lambda: spec(hidden_to_hidden="no"), ValidationError, "hidden_to_hidden"),
    ("make-spec-memory-d-bool", lambda: spec(memory_d=True), ValidationError, "memory_d"),
    ("make-spec-memory-d-zero", lambda: spec(memory_d=0), ValidationError, "memory_d"),
    ("make-spec-cell-option-unknown", lambda: spec(hidden_to_output=True), ValidationError, "cell_kwargs"),
    # train_classifier / train_regressor / fit: checked before any training
    ("train-classifier-data-none", lambda: train_classifier(None), ValidationError, "data"),
    ("train-classifier-data-one-split", lambda: train_classifier(DATA[0]), ValidationError, "data"),
    ("train-regressor-data-none", lambda: train_regressor(None), ValidationError, "data"),
    ("train-classifier-spiking-str", lambda: train(spiking="yes"), ValidationError, "spiking"),
    ("train-classifier-spiking-tanh", lambda: train(spiking=True, neuron_type="tanh"), ValidationError, "neuron_type"),
    ("train-classifier-rate-scale-nan", lambda: train(rate_scale=NAN), ValidationError, "rate_scale"),
    ("train-classifier-rate-scale-zero", lambda: train(rate_scale=0), ValidationError, "rate_scale"),
    ("train-classifier-spiking-synapse-negative", lambda: train(spiking_synapse=-1.0), ValidationError, "spiking_synapse"),
    ("train-classifier-spiking-synapse-other-str", lambda: train(spiking_synapse="none"), ValidationError, "spiking_synapse"),
    ("train-classifier-theta-nan", lambda: train(theta=NAN), ValidationError, "theta"),
    ("train-classifier-seed-bool", lambda: train(seed=True), ValidationError, "seed"),
    ("train-classifier-readout-synapse-inf", lambda: train(readout_synapse=INF), ValidationError, "readout_synapse"),
    ("train-classifier-progress-bar-str", lambda: train(progress_bar="yes"), ValidationError, "progress_bar"),
    ("train-classifier-epochs-nan", lambda: train(epochs=NAN), ValidationError, "epochs"),
    ("train-classifier-learning-rate-bool", lambda: train(learning_rate=True), ValidationError, "learning_rate"),
    ("train-classifier-dropout-one", lambda: train(dropout=1.0, hidden_to_hidden=False), ValidationError, "dropout"),
    ("train-classifier-mode-unknown", lambda: train(mode="fast"), ValidationError, "mode"),
    ("train-classifier-checkpoint-int", lambda: train(checkpoint=3), ValidationError, "checkpoint"),
    ("train-classifier-resume-str", lambda: train(resume="yes"), ValidationError, "resume"),
    ("train-classifier-max-batches-zero", lambda: train(max_batches=0), ValidationError, "max_batches"),
    ("fit-spec-not-a-dict", lambda: fit("spec", X, np.zeros(2, int), 1), ValidationError, "spec"),
    ("fit-spec-missing-keys", lambda: fit(dict(task="classify"), X, np.zeros(2, int), 1), ValidationError, "spec"),
    ("fit-unroll-zero", lambda: fit(SPEC, X, np.zeros(2, int), 1, unroll=0), ValidationError, "unroll"),
    ("fit-params-list", lambda: fit(SPEC, X, np.zeros(2, int), 1, params=[1.0]), ValidationError, "params"),
    ("fit-progress-bar-none", lambda: fit(SPEC, X, np.zeros(2, int), 1, progress_bar=None), ValidationError, "progress_bar"),
]


def spec(**kwargs):
    return make_spec("classify", 4, 1, 2, 3, 2, **kwargs)


def train(**kwargs):
    options = dict(units=3, order=2, batch_size=2, progress_bar=False)
    return train_classifier(DATA, **dict(options, **kwargs))


def memory():
    with nengo.Network():
        return LegendreMemory(4, 1.0)


@pytest.mark.parametrize(
    "make, error, name", [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES]
)
def test_api_bad_input(make, error, name):
    with pytest.raises(error) as info:
        make()
    assert info.value.attr == name
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
    assert isinstance(info.value, ValidationError) and info.value.attr == "path"


def lone_array(d):
    """A single .npy array under an .npz name (np.load reads it, as an array)."""
    with open(d / "lone.npz", "wb") as file:
        np.save(file, np.zeros(3))
    return d / "lone.npz"


def saved_model(d):
    save_model(d / "model.npz", SPEC, {})
    return d / "model.npz"


def checkpoint_file(d):
    save_checkpoint(d / "ckpt.npz", {}, 1, [np.zeros(2)], [])
    return d / "ckpt.npz"


def hdf5_not_nir(d):
    h5py = pytest.importorskip("h5py")
    with h5py.File(d / "data.h5", "w") as file:
        file["x"] = np.zeros(3)
    return d / "data.h5"


def folder(d):
    (d / "folder").mkdir()
    return d / "folder"


def figure():
    from matplotlib.figure import Figure  # pylint: disable=import-outside-toplevel

    return Figure()


def needs_nir(case):
    return pytest.param(*case[1:], id=case[0], marks=pytest.mark.skipif(
        not importlib.util.find_spec("nir"), reason="the 'nir' extra is not installed"))


# (id, a file made in a temporary folder, what is done with it, the error's attr:
# None for the file's own name, as the data set loaders give). Every file we
# write refuses a folder; every loader refuses a file that is not what it reads,
# naming the file and what it expected (issue 27).
FILE_CASES = [
    ("save-model-folder", folder, lambda p: save_model(p, SPEC, {}), "path"),
    ("save-model-npz-name-a-folder", lambda d: folder(d).rename(d / "m.npz") and d / "m",
     lambda p: save_model(p, SPEC, {}), "path"),
    ("save-checkpoint-folder", folder, lambda p: save_checkpoint(p, {}, 1, [], []), "checkpoint"),
    ("atomic-write-folder", folder, lambda p: atomic_write(p).__enter__(), "path"),
    ("save-figure-folder", folder, lambda p: save_figure(figure(), p), "path"),
    ("train-checkpoint-folder", folder, lambda p: train(checkpoint=p), "checkpoint"),
    ("run-demo-plot-folder", folder, lambda p: run_demo("ideal-delay", plot=p), "plot"),
    ("save-nir-folder", folder, lambda p: save_nir(p, memory()), "path"),
    ("import-nir-text", lambda d: write_bytes(d / "g.nir", b"hello"), import_nir, "graph"),
    ("import-nir-empty", lambda d: write_bytes(d / "g.nir", b""), import_nir, "graph"),
    ("import-nir-hdf5-not-nir", hdf5_not_nir, import_nir, "graph"),
    ("import-nir-a-model", saved_model, import_nir, "graph"),
    ("import-nir-folder", folder, import_nir, "graph"),
    ("import-nir-missing", lambda d: d / "none.nir", import_nir, "graph"),
    ("load-checkpoint-lone-array", lone_array, lambda p: load_checkpoint(p, {}), "checkpoint"),
    ("load-checkpoint-a-model", saved_model, lambda p: load_checkpoint(p, {}), "checkpoint"),
    ("load-checkpoint-text", lambda d: write_bytes(d / "c.npz", b"hello"),
     lambda p: load_checkpoint(p, {}), "checkpoint"),
    ("load-checkpoint-folder", folder, lambda p: load_checkpoint(p, {}), "checkpoint"),
    ("load-model-a-checkpoint", checkpoint_file, load_model, "path"),
    ("load-images-lone-array", lone_array, lambda p: load_images("mnist", p), None),
    ("load-images-text", lambda d: write_bytes(d / "m.npz", b"hello"),
     lambda p: load_images("mnist", p), None),
    ("load-images-a-model", saved_model, lambda p: load_images("mnist", p), None),
    ("read-idx-text", lambda d: write_bytes(d / "x-idx3-ubyte", b"hello"), read_idx, None),
    ("read-idx-folder", folder, read_idx, None),
    ("read-idx-gzip-not", lambda d: write_bytes(d / "x-idx3-ubyte.gz", b"hello"), read_idx, None),
]
NIR_CASES = {"save-nir-folder"} | {c[0] for c in FILE_CASES if c[0].startswith("import-nir")}


@pytest.mark.parametrize("make, run, attr", [
    needs_nir(c) if c[0] in NIR_CASES else pytest.param(*c[1:], id=c[0]) for c in FILE_CASES
])
def test_file_bad_input(make, run, attr, tmp_path):
    path = make(tmp_path)
    with pytest.raises(ValidationError) as info:
        run(path)
    assert info.value.attr == (str(path) if attr is None else attr)
    assert str(path) in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_import_nir_names_the_file_and_what_it_expected(tmp_path):
    pytest.importorskip("nir")
    path = write_bytes(tmp_path / "graph.nir", b"not hdf5")
    with pytest.raises(ValidationError) as info:
        import_nir(path)
    assert info.value.attr == "graph"
    assert "is not an HDF5 file" in str(info.value) and "expected a NIR graph" in str(info.value)
    assert "superblock" not in str(info.value)


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
    ("train-load-missing", ["train", "psdigits", "--load", "/nonexistent.npz"], "path"),
    ("train-save-dir-under-a-file", ["train", "psdigits", "--save", "/dev/null/dir/m.npz"], "--save"),
    ("train-save-is-dir", ["train", "psdigits", "--save", "/tmp"], "--save"),
    ("train-checkpoint-is-dir", ["train", "psdigits", "--checkpoint", "/tmp"], "--checkpoint"),
    ("train-load-not-a-model", ["train", "psdigits", "--load", "/etc/hostname"], "path"),
    ("bench-nir-nir-file-is-dir", ["bench", "nir", "--nir-file", "/tmp"], "--nir-file"),
    ("train-seed-negative", ["train", "psdigits", "--seed", "-1"], "--seed"),
    ("demo-duration-under-a-cycle", ["demo", "ideal-delay", "--duration", "0.1"], "duration"),
    ("demo-mackey-glass-no-test-period", ["demo", "mackey-glass", "--duration", "4"], "duration"),
    # every bench option is checked by argparse (or, for names, before any run)
    ("bench-capacity-steps-empty", ["bench", "capacity", "--steps", ","], "--steps"),
    ("bench-capacity-steps-zero", ["bench", "capacity", "--steps", "100,0"], "--steps"),
    ("bench-capacity-steps-text", ["bench", "capacity", "--steps", "many"], "--steps"),
    ("bench-capacity-order-zero", ["bench", "capacity", "--order", "0"], "--order"),
    ("bench-capacity-sequences-bool", ["bench", "capacity", "--sequences", "True"], "--sequences"),
    ("bench-spiking-memory-parts-unknown", ["bench", "spiking-memory", "--parts", "speed"], "--parts"),
    ("bench-spiking-memory-parts-empty", ["bench", "spiking-memory", "--parts", ","], "--parts"),
    ("bench-spiking-memory-duration-nan", ["bench", "spiking-memory", "--duration", "nan"], "--duration"),
    ("bench-spiking-memory-seeds-zero", ["bench", "spiking-memory", "--seeds", "0"], "--seeds"),
    ("bench-spiking-memory-cost-repeats-float", ["bench", "spiking-memory", "--cost-repeats", "2.5"], "--cost-repeats"),
    ("bench-keras-lmu-learning-rate-inf", ["bench", "keras-lmu", "--learning-rate", "inf"], "--learning-rate"),
    ("bench-keras-lmu-epochs-negative", ["bench", "keras-lmu", "--epochs", "-1"], "--epochs"),
    ("bench-keras-lmu-theta-zero", ["bench", "keras-lmu", "--theta", "0"], "--theta"),
    ("bench-backends-backends-unknown", ["bench", "backends", "--backends", "nengo,gpu"], "--backends"),
    ("bench-backends-backends-empty", ["bench", "backends", "--backends", ","], "--backends"),
    ("bench-backends-chunk-zero", ["bench", "backends", "--chunk", "0"], "--chunk"),
    ("bench-backends-repeats-zero", ["bench", "backends", "--repeats", "0"], "--repeats"),
    ("bench-backends-batch-negative", ["bench", "backends", "--batch", "-1"], "--batch"),
    ("bench-nir-network-unknown", ["bench", "nir", "--network", "cell"], "--network"),
    ("bench-nir-sequences-zero", ["bench", "nir", "--sequences", "0"], "--sequences"),
    ("bench-nir-epochs-float", ["bench", "nir", "--epochs", "1.5"], "--epochs"),
    ("bench-backends-seed-negative", ["bench", "backends", "--seed", "-1"], "--seed"),
    ("bench-backends-network-unknown", ["bench", "backends", "--networks", "nope"], "networks"),
    ("bench-online-learning-backends-unknown", ["bench", "online-learning", "--backends", "gpu"], "--backends"),
    ("bench-online-learning-demos-unknown", ["bench", "online-learning", "--demos", "ideal-delay"], "--demos"),
    ("bench-online-learning-seed-too-big", ["bench", "online-learning", "--seed", str(2**32)], "--seed"),
    ("bench-online-learning-duration-negative", ["bench", "online-learning", "--duration", "-5"], "--duration"),
    ("bench-loihi-mapping-parts-unknown", ["bench", "loihi-mapping", "--parts", "timing"], "--parts"),
    ("bench-loihi-mapping-theta-nan", ["bench", "loihi-mapping", "--theta", "nan"], "--theta"),
    ("bench-loihi-mapping-neurons-zero", ["bench", "loihi-mapping", "--neurons", "0"], "--neurons"),
    ("bench-training-dataset-unknown", ["bench", "training", "--dataset", "mnist"], "--dataset"),
    ("bench-training-seeds-text", ["bench", "training", "--seeds", "a,b"], "seeds"),
    ("bench-training-seeds-too-big", ["bench", "training", "--seeds", f"0,{2**32}"], "seeds"),
    ("bench-training-learning-rate-zero", ["bench", "training", "--learning-rate", "0"], "--learning-rate"),
    ("bench-mackey-glass-validation-negative", ["bench", "mackey-glass", "--validation", "-1"], "--validation"),
    ("bench-mackey-glass-seeds-text", ["bench", "mackey-glass", "--seeds", "a"], "seeds"),
    ("bench-throughput-dataset-unknown", ["bench", "throughput", "--dataset", "mnist"], "--dataset"),
    ("bench-throughput-steps-batches-zero", ["bench", "throughput", "--steps-batches", "0"], "--steps-batches"),
    ("bench-throughput-seed-negative", ["bench", "throughput", "--seed", "-1"], "--seed"),
    ("bench-convolution-seed-negative", ["bench", "convolution", "--seed", "-1"], "--seed"),
    ("bench-loihi-deployment-sequences-zero", ["bench", "loihi-deployment", "--sequences", "0"], "--sequences"),
    ("bench-keras-lmu-convert-parts-unknown", ["bench", "keras-lmu-convert", "--parts", "nope"], "--parts"),
    ("gui-port-negative", ["gui", "--port", "-1"], "--port"),
    ("convert-keras-lmu-model-missing", ["convert", "keras-lmu", "/nonexistent.keras", "--save", "/tmp/m.npz"], "path"),
    # checked by the parser, before keras-lmu (and TensorFlow) are imported or the file is read
    ("convert-keras-lmu-dt-zero", ["convert", "keras-lmu", "/nonexistent.keras", "--save", "/tmp/m.npz", "--dt", "0"], "--dt"),
    ("convert-keras-lmu-n-steps-zero", ["convert", "keras-lmu", "/nonexistent.keras", "--save", "/tmp/m.npz", "--n-steps", "0"], "--n-steps"),
]


def needs_extra(argv):
    """The mark of the extra a command checks for before anything else (`cli.COMMAND_NEEDS`)."""
    if not isinstance(argv, list):
        return []
    module = cli.COMMAND_NEEDS.get(" ".join(argv[:2] if argv[0] == "bench" else argv[:1]))
    return [] if module is None else [getattr(pytest.mark, EXTRAS[module][1])]


@pytest.mark.parametrize(
    "argv, name", [pytest.param(*c[1:], marks=needs_extra(c[1])) for c in CLI_CASES],
    ids=[f"cli-{c[0]}" for c in CLI_CASES],
)
def test_cli_bad_input(argv, name, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    # the parameter comes first: argparse's "argument --seed: ...", or a
    # ValidationError's "attr: ..." (nengo's str of it)
    assert re.match(rf"nengo-lmu[a-z -]*: error: (argument )?{re.escape(name)}: ", err[-1]), err[-1]
    assert "Traceback" not in "\n".join(err)


# (id, variable, value: a function of a temporary folder, what to run: API or argv)
ENV_CASES = [
    ("backend-unknown", "NENGO_LMU_BACKEND", lambda d: "gpu", resolve_backend),
    ("backend-unknown-cli", "NENGO_LMU_BACKEND", lambda d: "gpu", ["demo", "--duration", "1"]),
    ("backend-padded", "NENGO_LMU_BACKEND", lambda d: " nengo", resolve_backend),
    ("data-missing", "NENGO_LMU_DATA", lambda d: str(d / "nowhere"), psmnist),
    ("data-a-file", "NENGO_LMU_DATA", lambda d: str(write_bytes(d / "f", b"x")), psmnist),
    ("data-missing-cli", "NENGO_LMU_DATA", lambda d: str(d / "nowhere"), ["train", "psmnist"]),
]


@pytest.mark.parametrize(
    "variable, value, run", [pytest.param(*c[1:], marks=needs_extra(c[3])) for c in ENV_CASES],
    ids=[f"env-{c[0]}" for c in ENV_CASES],
)
def test_environment_variable_bad_value(variable, value, run, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(variable, value(tmp_path))
    if callable(run):
        with pytest.raises(ValidationError) as info:
            run()
        assert info.value.attr == variable
        return
    with pytest.raises(SystemExit) as exit_info:
        cli.main(run)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"nengo-lmu: error: {variable}:")
    assert "Traceback" not in "\n".join(err)


def test_empty_backend_variable_means_unset(monkeypatch):
    monkeypatch.setenv("NENGO_LMU_BACKEND", "")
    assert resolve_backend() == "nengo"
    monkeypatch.setenv("NENGO_LMU_BACKEND", "dl")
    assert resolve_backend() == "dl"


@pytest.mark.dl
def test_cli_debug_shows_the_error(capsys):
    with pytest.raises(ValidationError):
        cli.main(["--debug", "train", "psdigits", "--load", "/nonexistent.npz"])


def test_loihi_preflight_names_memory_without_loihi_form():
    """A plain spiking memory that cannot take its Loihi-ready form is named, with why.

    (One that can gets it when nengo-loihi builds it: issue 25.)
    """
    with nengo.Network() as net:
        LegendreMemory(4, 1.0, n_neurons=51, label="my-memory")  # pairs need an even count
    with pytest.raises(LoihiPreflightError) as info:
        check_loihi_ready(net)
    assert "my-memory" in str(info.value) and "must be even" in str(info.value)

    class MyMemory(LegendreMemory):  # found by its marker, whatever its name
        pass

    with nengo.Network() as net:
        MyMemory(4, 1.0, n_neurons=51)
    with pytest.raises(LoihiPreflightError) as info:
        check_loihi_ready(net)
    assert "'MyMemory'" in str(info.value) and "Loihi-ready form" in str(info.value)

    with nengo.Network() as net:
        LegendreMemory(4, 1.0, n_neurons=50, label="my-memory")
    check_loihi_ready(net)


def test_save_model_killed_mid_write_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    spec = dict(n_steps=3, size_in=1)
    save_model(path, spec, dict(w=np.arange(3.0)))
    before = path.read_bytes()

    def interrupted_fsync(fd):
        raise KeyboardInterrupt  # stopped mid-save, the new file written but not in place

    monkeypatch.setattr(os, "fsync", interrupted_fsync)
    with pytest.raises(KeyboardInterrupt):
        save_model(path, spec, dict(w=np.zeros(3)))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    monkeypatch.undo()
    loaded, params = load_model(path)
    assert loaded == spec and np.array_equal(params["w"], np.arange(3.0))


def subcommands(parser):
    """A parser's subcommand parsers, by name."""
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def test_every_command_has_a_case():
    """The command-line table covers every command and benchmark, each case once."""
    covered = {" ".join(argv[:2] if argv[0] == "bench" else argv[:1]) for _, argv, _ in CLI_CASES}
    commands = subcommands(cli.build_parser())
    names = {f"bench {bench}" for bench in subcommands(commands.pop("bench"))} | set(commands)
    assert names <= covered, names - covered
    for table in (API_CASES, MODEL_FILES, FILE_CASES, CLI_CASES, ENV_CASES):
        ids = [case[0] for case in table]
        assert len(ids) == len(set(ids)), "two cases share an id"


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


def test_cli_ctrl_c_exits_130_with_the_partial_metrics(monkeypatch, capsys):
    """A demo interrupted mid-run: its metrics so far, labelled, then one line.

    tests/demos/test_interrupt.py interrupts real runs; this pins the output.
    """
    def interrupted(*args, **kwargs):
        raise DemoInterrupted({"nrmse": 0.25}, simulated_seconds=3.0, duration=10.0)

    monkeypatch.setattr(cli, "run_demo", interrupted)
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "ideal-delay", "--duration", "10"])
    assert info.value.code == 130
    out, err = capsys.readouterr()
    assert out.splitlines()[3:] == [
        "partial=true", "simulated_seconds=3", "duration=10", "nrmse=0.25"
    ]
    assert err.strip() == (
        "nengo-lmu: interrupted after 3 of 10 simulated seconds (the metrics are of that part)"
    )


def test_atomic_write_keeps_permissions(tmp_path):
    """A new file gets the umask's permissions (not mkstemp's 0600); a replaced one keeps its own."""
    path = tmp_path / "plot.bin"
    with atomic_write(path) as file:
        file.write(b"new")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    path.chmod(0o640)
    with atomic_write(path) as file:
        file.write(b"again")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_bytes() == b"again"


@pytest.mark.dl
def test_training_stopped_by_sigterm_leaves_a_loadable_model(tmp_path):
    """A real ``nengo-lmu train`` process sent SIGTERM (what a scheduler, ``timeout`` or
    systemd sends): the model so far saved, what was done printed, exit 143, no traceback."""
    path, model = tmp_path / "ckpt.npz", tmp_path / "model.npz"
    process, output = start_training(
        tmp_path, LONG_TRAIN + ["--checkpoint", str(path), "--save", str(model)], path)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=120) == 128 + signal.SIGTERM
    out, err = output()
    metrics = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert metrics["interrupted"] == "true" and metrics["signal"] == "SIGTERM"
    done = int(metrics["epochs_done"])
    assert 1 <= done < 4 and checkpoint_epochs(path) == done
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"nengo-lmu: training interrupted after {done} full epoch(s) (stopped by SIGTERM)")
    assert "continue with the same options and --resume" in err
    spec, params = load_model(model)
    assert spec["order"] == 12 and params
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ckpt.npz", "model.npz", "stderr.txt", "stdout.txt"]


@pytest.fixture
def full_disk(tmp_path):
    """A 64 kB tmpfs; skipped where one cannot be mounted (not root, a container without
    the right, no mount(8))."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.parametrize("save, name", [
    (lambda path, n: save_model(path, SPEC, {"w": np.ones(n)}), "model.npz"),
    (lambda path, n: save_checkpoint(path, {}, 1, [np.ones(n)], []), "ckpt.npz"),
])
def test_save_onto_a_full_disk_keeps_the_earlier_file(save, name, full_disk):
    path = full_disk / name
    save(path, 100)
    before = path.read_bytes()
    with pytest.raises(OSError) as info:
        save(path, 20000)  # 160 kB onto a 64 kB disk
    assert info.value.errno == errno.ENOSPC and str(path) in str(info.value)
    assert path.read_bytes() == before
    assert [p.name for p in full_disk.iterdir()] == [name]  # no temporary file left
