"""Generated data sets."""

import numpy as np
import pytest
from nengo.exceptions import ValidationError

from nengo_lmu.datasets import mackey_glass, mackey_glass_sequences, psdigits


def test_mackey_glass_follows_its_equation(allclose):
    # sampled every step, the series satisfies its Euler recursion exactly
    x = mackey_glass(2000, step=0.1, sample_every=0.1, discard=0, x0=1.2)
    lag = 170
    past = x[:-lag - 1]
    rhs = 0.2 * past / (1 + past**10) - 0.1 * x[lag:-1]
    assert allclose(np.diff(x[lag:]) / 0.1, rhs, atol=1e-12)


def test_mackey_glass_is_the_usual_chaotic_series():
    x = mackey_glass(3000)
    assert 0.3 < x.min() < 0.6 and 1.2 < x.max() < 1.4  # its known range for tau=17
    # not periodic: no lag up to 500 samples repeats it
    correlations = [np.corrcoef(x[:-k], x[k:])[0, 1] for k in range(20, 500)]
    assert max(correlations) < 0.9


@pytest.mark.parametrize(
    "kwargs, attr",
    [(dict(n_samples=0), "n_samples"), (dict(n_samples=10, tau=0), "tau"), (dict(n_samples=10, step=-1), "step")],
)
def test_mackey_glass_bad_input(kwargs, attr):
    with pytest.raises(ValidationError) as info:
        mackey_glass(**kwargs)
    assert info.value.attr == attr


def test_mackey_glass_sequences_target_the_future():
    (x_train, y_train), (x_test, y_test) = mackey_glass_sequences(
        n_series=6, n_steps=300, horizon=15, seed=1, test_fraction=0.5)
    assert x_train.shape == y_train.shape == x_test.shape == y_test.shape == (3, 300, 1)
    assert x_train.dtype == y_train.dtype == np.float32
    assert np.array_equal(y_train[:, :-15], x_train[:, 15:])  # y[t] is x[t + 15]
    assert np.array_equal(y_test[:, :-15], x_test[:, 15:])
    assert abs(np.concatenate([x_train, y_train[:, -15:]], axis=1).mean()) < 1e-6  # centred
    # the series differ (random histories) and have the usual spread
    series = np.concatenate([x_train, x_test])[:, :, 0]
    assert all(not np.allclose(a, b, atol=1e-3) for a, b in zip(series, series[1:]))
    assert 0.15 < series.std() < 0.3


def test_mackey_glass_sequences_follow_the_equation(allclose):
    """One Euler step per sample, uncentred: the squashed series satisfies the recursion."""
    (x, _), _ = mackey_glass_sequences(n_series=2, n_steps=400, horizon=1, seed=0,
                                       tau=17, substeps=1, washout=0, center=False)
    s = np.arctanh(x[:, :, 0].astype(np.float64)) + 1
    past = s[:, :-18]
    rhs = 0.2 * past / (1 + past**10) - 0.1 * s[:, 17:-1]
    assert allclose(np.diff(s[:, 17:], axis=1), rhs, atol=1e-5)
    assert 0.3 < s.min() and s.max() < 1.45  # the attractor's range


def test_mackey_glass_sequences_are_reproducible_by_seed():
    a = mackey_glass_sequences(n_series=4, n_steps=100, seed=3)
    b = mackey_glass_sequences(n_series=4, n_steps=100, seed=3)
    c = mackey_glass_sequences(n_series=4, n_steps=100, seed=4)
    assert np.array_equal(a[0][0], b[0][0]) and np.array_equal(a[1][1], b[1][1])
    assert not np.allclose(a[0][0], c[0][0])


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        (dict(n_series=1), "n_series"),
        (dict(n_steps=0), "n_steps"),
        (dict(horizon=0), "horizon"),
        (dict(horizon=1.5), "horizon"),
        (dict(seed=-1), "seed"),
        (dict(test_fraction=1.0), "test_fraction"),
        (dict(test_fraction=float("nan")), "test_fraction"),
        (dict(n_series=3, test_fraction=0.1), "test_fraction"),
        (dict(tau=0), "tau"),
        (dict(substeps=0), "substeps"),
        (dict(washout=-1), "washout"),
        (dict(n_steps=True), "n_steps"),
        (dict(center=1), "center"),
    ],
)
def test_mackey_glass_sequences_bad_input(kwargs, attr):
    with pytest.raises(ValidationError) as info:
        mackey_glass_sequences(**kwargs)
    assert info.value.attr == attr


def test_psdigits_permutes_the_pixels_of_every_image_alike():
    from sklearn.datasets import load_digits

    (x_train, y_train), (x_test, y_test) = psdigits(perm_seed=3, test_fraction=0.2, seed=1)
    assert x_train.shape[1:] == (64, 1) and x_train.dtype == np.float32
    assert len(x_train) + len(x_test) == 1797 and abs(len(x_test) - 0.2 * 1797) < 1
    assert 0 <= x_train.min() and x_train.max() <= 1
    assert set(np.unique(y_test)) == set(range(10))

    # undoing the permutation gives back scikit-learn's images, each once
    images = load_digits().data / 16
    permutation = np.random.RandomState(3).permutation(64)
    restored = np.empty_like(x_train[:, :, 0])
    restored[:, permutation] = x_train[:, :, 0]
    matches = [np.flatnonzero(np.all(np.isclose(images, r), axis=1)) for r in restored[:20]]
    assert all(len(m) >= 1 for m in matches)
    assert all(load_digits().target[m[0]] == y for m, y in zip(matches, y_train[:20]))


def test_psdigits_is_reproducible_and_seeded():
    (a, _), _ = psdigits()
    (b, _), _ = psdigits()
    (c, _), _ = psdigits(perm_seed=1)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(
    "kwargs, attr",
    [(dict(perm_seed=-1), "perm_seed"), (dict(test_fraction=1.0), "test_fraction"), (dict(seed=-2), "seed")],
)
def test_psdigits_bad_input(kwargs, attr):
    with pytest.raises(ValidationError) as info:
        psdigits(**kwargs)
    assert info.value.attr == attr


# psmnist / psfashion: read from small IDX and npz files written here

import gzip  # noqa: E402
import pathlib  # noqa: E402

from nengo_lmu import datasets  # noqa: E402
from nengo_lmu.datasets import (  # noqa: E402
    DatasetFormatError,
    DatasetNotFoundError,
    psfashion,
    psmnist,
    read_idx,
)


def write_idx(filename, array, magic=None):
    """Write ``array`` (uint8) as an IDX file, gzipped if the name ends in .gz."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 8, array.ndim]) if magic is None else magic
    header += np.array(array.shape, dtype=">u4").tobytes()
    opener = gzip.open if str(filename).endswith(".gz") else open
    with opener(filename, "wb") as file:
        file.write(header + array.tobytes())


def make_images(rng, n_train=6, n_test=4):
    x_train = rng.randint(0, 256, size=(n_train, 28, 28)).astype(np.uint8)
    x_test = rng.randint(0, 256, size=(n_test, 28, 28)).astype(np.uint8)
    y_train = rng.randint(0, 10, size=n_train).astype(np.uint8)
    y_test = rng.randint(0, 10, size=n_test).astype(np.uint8)
    return dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


def write_dataset(folder, arrays, gz=True):
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for key, stem in datasets.IDX_FILES.items():
        write_idx(folder / (stem + (".gz" if gz else "")), arrays[key])
    return folder


@pytest.fixture
def no_standard_places(monkeypatch, tmp_path):
    """Keep the machine's own data folders out of the search."""
    monkeypatch.delenv(datasets.DATA_ENV, raising=False)
    keras_dir = tmp_path / "keras-home" / "datasets"
    monkeypatch.setattr(datasets, "_keras_dirs", lambda: [keras_dir])
    monkeypatch.setitem(datasets._SOURCES["fashion-mnist"], "system", ())
    return keras_dir


def unpermute(x, perm_seed=0):
    permutation = np.random.RandomState(perm_seed).permutation(784)
    restored = np.empty(x.shape[:2], dtype=x.dtype)
    restored[:, permutation] = x[:, :, 0]
    return restored.reshape(-1, 28, 28)


@pytest.mark.parametrize("loader", [psmnist, psfashion])
@pytest.mark.parametrize("gz", [True, False])
def test_permuted_loaders_read_idx_files(loader, gz, rng, tmp_path):
    arrays = make_images(rng)
    write_dataset(tmp_path, arrays, gz=gz)
    (x_train, y_train), (x_test, y_test) = loader(path=tmp_path)
    assert x_train.shape == (6, 784, 1) and x_test.shape == (4, 784, 1)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert np.array_equal(y_train, arrays["y_train"]) and np.array_equal(y_test, arrays["y_test"])
    # the NengoDL example's permutation: pixel k of the sequence is pixel perm[k] of the image
    permutation = np.random.RandomState(0).permutation(784)
    flat = arrays["x_test"].reshape(4, 784) / 255.0
    assert np.allclose(x_test[:, :, 0], flat[:, permutation])
    assert np.allclose(unpermute(x_train) * 255, arrays["x_train"])
    assert x_train.min() >= 0 and x_train.max() <= 1

    (other, _), _ = loader(perm_seed=5, path=tmp_path)
    assert not np.array_equal(other, x_train)
    assert np.allclose(unpermute(other, perm_seed=5), unpermute(x_train))


def test_psmnist_reads_keras_npz(rng, tmp_path):
    arrays = make_images(rng)
    np.savez(tmp_path / "mnist.npz", **arrays)
    (x_train, y_train), (x_test, _) = psmnist(path=tmp_path)
    assert np.allclose(unpermute(x_train) * 255, arrays["x_train"])
    assert np.array_equal(y_train, arrays["y_train"])
    # an .npz file may also be named directly
    (_, _), (x_test2, _) = psmnist(path=tmp_path / "mnist.npz")
    assert np.array_equal(x_test, x_test2)


def test_search_order(rng, tmp_path, monkeypatch, no_standard_places):
    in_keras, in_env, in_path = (make_images(rng) for _ in range(3))
    no_standard_places.mkdir(parents=True)
    np.savez(no_standard_places / "mnist.npz", **in_keras)
    (_, y), _ = psmnist()
    assert np.array_equal(y, in_keras["y_train"])  # Keras's cache

    write_dataset(tmp_path / "data" / "mnist", in_env)
    monkeypatch.setenv(datasets.DATA_ENV, str(tmp_path / "data"))
    (_, y), _ = psmnist()
    assert np.array_equal(y, in_env["y_train"])  # the environment variable before Keras's cache

    write_dataset(tmp_path / "mine", in_path)
    (_, y), _ = psmnist(path=tmp_path / "mine")
    assert np.array_equal(y, in_path["y_train"])  # path before both


def test_missing_dataset_says_where_to_put_it(tmp_path, no_standard_places):
    with pytest.raises(DatasetNotFoundError) as info:
        psfashion()
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, ValidationError)
    assert info.value.attr == "path"
    assert "Fashion-MNIST not found" in message and "nothing is downloaded" in message
    assert f"${datasets.DATA_ENV}: not set" in message
    assert str(no_standard_places / "fashion-mnist") in message  # each place looked in
    assert "train-images-idx3-ubyte" in message and "dataset-fashion-mnist" in message

    # a path that is given is the only place looked in
    with pytest.raises(DatasetNotFoundError, match="at the given path") as info:
        psmnist(path=tmp_path / "nowhere")
    assert f"{tmp_path / 'nowhere'}: does not exist" in str(info.value)
    assert str(no_standard_places) not in str(info.value)


def test_partial_dataset_names_the_missing_files(rng, tmp_path):
    folder = write_dataset(tmp_path, make_images(rng))
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetNotFoundError, match=r"has 3 of the IDX files; missing t10k-labels"):
        psfashion(path=folder)


def _corrupt(kind, folder, arrays):
    images = folder / "train-images-idx3-ubyte.gz"
    labels = folder / "train-labels-idx1-ubyte.gz"
    if kind == "magic":
        write_idx(images, arrays["x_train"], magic=bytes([0, 0, 9, 3]))
    elif kind == "truncated":
        with gzip.open(images, "rb") as file:
            data = file.read()
        with gzip.open(images, "wb") as file:
            file.write(data[:-10])
    elif kind == "not gzip":
        images.write_bytes(b"this is not a gzip file at all")
    elif kind == "shape":
        write_idx(images, arrays["x_train"][:, :27])
    elif kind == "labels":
        write_idx(labels, np.array([0, 1, 2, 10, 3, 4]))
    elif kind == "count":
        write_idx(labels, arrays["y_train"][:5])
    return images if kind in ("magic", "truncated", "not gzip", "shape", "count") else labels


@pytest.mark.parametrize(
    "kind, match",
    [
        ("magic", "magic number is 0x00000903"),
        ("truncated", "Holds 4694 values after its header"),
        ("not gzip", "Cannot read it as an IDX file"),
        ("shape", r"Images must have shape \(n, 28, 28\) \(got \(6, 27, 28\)\)"),
        ("labels", r"Labels must lie in 0-9 \(got 10"),
        ("count", "6 images but 5 labels"),
    ],
)
def test_corrupt_idx_files(kind, match, rng, tmp_path):
    arrays = make_images(rng)
    folder = write_dataset(tmp_path, arrays)
    bad_file = _corrupt(kind, folder, arrays)
    with pytest.raises(DatasetFormatError, match=match) as info:
        psmnist(path=folder)
    assert info.value.attr == str(bad_file)


def test_corrupt_npz(rng, tmp_path):
    arrays = make_images(rng)
    del arrays["y_test"]
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(DatasetFormatError, match="Has no array y_test"):
        psmnist(path=tmp_path)
    (tmp_path / "broken.npz").write_bytes(b"not a zip file")
    with pytest.raises(DatasetFormatError, match="Cannot read it as an .npz file"):
        psmnist(path=tmp_path / "broken.npz")
    # a zip file cut short
    np.savez(tmp_path / "whole.npz", **make_images(rng))
    (tmp_path / "cut.npz").write_bytes((tmp_path / "whole.npz").read_bytes()[:300])
    with pytest.raises(DatasetFormatError, match="Cannot read it as an .npz file"):
        psmnist(path=tmp_path / "cut.npz")


def test_read_idx_roundtrip(rng, tmp_path):
    array = rng.randint(0, 256, size=(3, 4, 5)).astype(np.uint8)
    write_idx(tmp_path / "a-idx3-ubyte", array)
    assert np.array_equal(read_idx(tmp_path / "a-idx3-ubyte"), array)


@pytest.mark.parametrize(
    "kwargs, attr", [(dict(perm_seed=-1), "perm_seed"), (dict(path=123), "path")]
)
def test_permuted_loaders_bad_input(kwargs, attr, rng, tmp_path):
    write_dataset(tmp_path / "d", make_images(rng))
    kwargs.setdefault("path", tmp_path / "d")
    with pytest.raises(ValidationError) as info:
        psmnist(**kwargs)
    assert info.value.attr == attr


@pytest.mark.skipif(
    not pathlib.Path(datasets.DEBIAN_FASHION_MNIST).is_dir(),
    reason="Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)",
)
def test_psfashion_on_debians_files():
    (x_train, y_train), (x_test, y_test) = psfashion(path=datasets.DEBIAN_FASHION_MNIST)
    assert x_train.shape == (60000, 784, 1) and x_test.shape == (10000, 784, 1)
    assert np.array_equal(np.bincount(y_train), [6000] * 10)
    assert np.array_equal(np.bincount(y_test), [1000] * 10)
    assert y_train[0] == 9  # the first training image is an ankle boot
    assert 0 <= x_train.min() and x_train.max() == 1
