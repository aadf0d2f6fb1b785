"""Data sets: generated series and permuted-pixel sequence classification."""

import gzip
import os
import pathlib
import zipfile

import numpy as np
from nengo.exceptions import ValidationError
from nengo.params import BoolParam

from nengo_lmu.exceptions import DatasetFormatError, DatasetNotFoundError
from nengo_lmu.params import (
    N_CLASSES, N_STEPS, PERM_SEED, SEED, TAU, TEST_FRACTION, IntParam, NumberParam,
    check_param,
)

_N_SAMPLES = IntParam("n_samples", low=1)
_STEP = NumberParam("step", low=0, low_open=True)


def mackey_glass(
    n_samples,
    tau=17.0,
    beta=0.2,
    gamma=0.1,
    power=10,
    step=0.1,
    sample_every=1.0,
    x0=1.2,
    discard=500,
):
    """The Mackey-Glass series: ``dx/dt = beta x(t - tau) / (1 + x(t - tau)**power) - gamma x``.

    Integrated with Euler steps of ``step`` time units from a constant history
    ``x0``, and sampled every ``sample_every`` time units after discarding the
    first ``discard`` samples (the transient). With ``tau=17`` it is chaotic:
    the benchmark of the LMU paper's prediction experiment.

    Returns
    -------
    (n_samples,) ndarray
    """
    n_samples = check_param(_N_SAMPLES, n_samples)
    tau = check_param(TAU, tau)
    step = check_param(_STEP, step)
    per_sample = int(round(sample_every / step))
    lag = int(round(tau / step))
    n_steps = (n_samples + discard) * per_sample
    x = np.empty(lag + n_steps)
    x[: lag + 1] = x0
    for k in range(lag + 1, lag + n_steps):
        past = x[k - 1 - lag]
        x[k] = x[k - 1] + step * (beta * past / (1 + past**power) - gamma * x[k - 1])
    return x[lag:][::per_sample][discard : discard + n_samples]


_N_SERIES = IntParam("n_series", low=2)
_HORIZON = IntParam("horizon", low=1)
_SUBSTEPS = IntParam("substeps", low=1)
_WASHOUT = IntParam("washout", low=0)


def mackey_glass_sequences(n_series=128, n_steps=5000, horizon=15, seed=0, test_fraction=0.5,
                           tau=17, substeps=10, washout=100, center=True):
    """Many Mackey-Glass series from random histories: predict ``horizon`` steps ahead.

    The data of the LMU paper's prediction experiment (Voelker, Kajic &
    Eliasmith 2019; its notebook as fixed in KerasLMU issue 14, where the
    target had been the past): ``n_series`` series of the equation of
    `mackey_glass` (``beta=0.2, gamma=0.1, power=10``), each integrated with
    ``substeps`` Euler steps per sample (step ``1 / substeps`` time units)
    from its own random history, uniform in ``1.2 +- 0.1`` over the last
    ``tau`` time units, and from ``x = 1.2``. The first ``washout`` samples are
    dropped, the rest squashed by ``tanh(x - 1)`` and centred on the mean of the
    training series (the paper centred on the mean of all, test included;
    the difference is about 1e-3). The first ``1 - test_fraction`` of the series
    are for training, the rest for testing. All series are integrated
    together (vectorized over series).

    Parameters
    ----------
    n_series, n_steps : int
        Series, and input steps per series.
    horizon : int
        Steps ahead of the target: ``y[:, t] == series[:, t + horizon]``.
    seed : int
        Seed of the random histories.
    test_fraction : float
        Fraction of the series held out for testing, in (0, 1); each part
        gets at least one series.
    tau : int
        Delay of the equation, in time units (17: mildly chaotic).
    substeps : int
        Euler steps per sample.
    washout : int
        Samples dropped at the start (the transient from the random history).
    center : bool
        Whether to subtract the training series' mean.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        float32 arrays of shape ``(n, n_steps, 1)``; ``y`` is ``x`` ``horizon``
        steps later.
    """
    n_series = check_param(_N_SERIES, n_series)
    n_steps = check_param(N_STEPS, n_steps)
    horizon = check_param(_HORIZON, horizon)
    seed = check_param(SEED, seed)
    test_fraction = check_param(TEST_FRACTION, test_fraction)
    tau = check_param(IntParam("tau", low=1), tau)
    substeps = check_param(_SUBSTEPS, substeps)
    washout = check_param(_WASHOUT, washout)
    center = check_param(BoolParam("center"), center)
    n_test = int(round(n_series * test_fraction))
    if not 0 < n_test < n_series:
        raise ValidationError(
            f"Leaves {n_series - n_test} training and {n_test} test series of "
            f"{n_series}; both need at least one", "test_fraction",
        )
    lag, samples = tau * substeps, washout + n_steps + horizon
    x = np.empty((lag + 1 + samples * substeps, n_series))
    rng = np.random.RandomState(seed)
    x[:lag] = 1.2 + 0.2 * (rng.rand(n_series, lag).T - 0.5)
    x[lag] = 1.2
    h = 1.0 / substeps
    for k in range(lag, len(x) - 1):  # each step is one numpy operation over all series
        past = x[k - lag]
        x[k + 1] = x[k] + h * (0.2 * past / (1.0 + past**10) - 0.1 * x[k])
    series = np.tanh(x[lag + substeps :: substeps][washout:samples].T - 1)
    n_train = n_series - n_test
    if center:
        series -= series[:n_train].mean()
    series = series[:, :, None].astype(np.float32)
    x_all, y_all = series[:, :n_steps], series[:, horizon : horizon + n_steps]
    return (x_all[:n_train], y_all[:n_train]), (x_all[n_train:], y_all[n_train:])


def psdigits(perm_seed=0, test_fraction=0.25, seed=0):
    """Permuted sequential digits: scikit-learn's 8x8 digits as 64-step sequences.

    The small, offline counterpart of psMNIST: each image's 64 pixels, scaled to
    [0, 1], are presented one per time step in an order fixed by ``perm_seed``
    (the same order for every image, as in psMNIST). The data ship with
    scikit-learn, so nothing is downloaded.

    Parameters
    ----------
    perm_seed : int
        Seed of the pixel permutation, ``np.random.RandomState(perm_seed).permutation(64)``.
    test_fraction : float
        Fraction of the 1797 images held out for testing, in (0, 1); the split is
        stratified, so each class keeps its share.
    seed : int
        Seed of the train/test split.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_*`` are float32 arrays of shape ``(n, 64, 1)``; ``y_*`` are int arrays
        of shape ``(n,)`` with the digit, 0 to 9.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = psdigits()
    >>> x_train.shape, x_test.shape
    ((1347, 64, 1), (450, 64, 1))
    """
    perm_seed = check_param(PERM_SEED, perm_seed)
    test_fraction = check_param(TEST_FRACTION, test_fraction)
    seed = check_param(SEED, seed)
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    permutation = np.random.RandomState(perm_seed).permutation(digits.data.shape[1])
    x = (digits.data[:, permutation] / 16.0).astype(np.float32)[:, :, None]
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    return (x_train, y_train), (x_test, y_test)


#: The environment variable that names a data folder of the user's choice:
#: ``$NENGO_LMU_DATA/mnist`` for MNIST, ``$NENGO_LMU_DATA/fashion-mnist`` for Fashion-MNIST.
DATA_ENV = "NENGO_LMU_DATA"

#: The four standard IDX files of MNIST and Fashion-MNIST (each may be gzipped, ``.gz``).
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}

#: Where Debian's ``dataset-fashion-mnist`` package installs Fashion-MNIST's IDX files.
DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"

_IMAGE_SHAPE = (28, 28)
_N_CLASSES = 10
_IDX_UBYTE = 0x08
_SOURCES = {
    "mnist": dict(
        title="MNIST", subdir="mnist", keras_subdir="", npz="mnist.npz", system=()
    ),
    "fashion-mnist": dict(
        title="Fashion-MNIST",
        subdir="fashion-mnist",
        keras_subdir="fashion-mnist",
        npz=None,
        system=(DEBIAN_FASHION_MNIST,),
    ),
}


def read_idx(filename):
    """Read an IDX file of unsigned bytes (the format of MNIST), gzipped or not.

    Parameters
    ----------
    filename : str or path-like
        The file; a name ending in ``.gz`` is read through gzip.

    Returns
    -------
    ndarray of uint8
        The data, in the shape its header gives.

    Raises
    ------
    DatasetFormatError
        If the file cannot be read, its magic number is not that of unsigned
        bytes, or it holds more or fewer values than its header says.
    """
    filename = pathlib.Path(filename)
    opener = gzip.open if filename.suffix == ".gz" else open
    try:
        with opener(filename, "rb") as file:
            data = file.read()
    except (OSError, EOFError) as error:  # gzip.BadGzipFile is an OSError
        raise DatasetFormatError(f"Cannot read it as an IDX file ({error})", str(filename))
    if len(data) < 4 or data[:2] != b"\0\0" or data[2] != _IDX_UBYTE or data[3] == 0:
        magic = data[:4].hex() if len(data) >= 4 else f"only {len(data)} bytes"
        raise DatasetFormatError(
            f"Not an IDX file of unsigned bytes: its magic number is 0x{magic}, "
            f"expected 0x0000080N (N: the number of dimensions)",
            str(filename),
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetFormatError(
            f"Truncated: {len(data)} bytes, but its header alone takes {header}",
            str(filename),
        )
    shape = tuple(int(n) for n in np.frombuffer(data, ">u4", count=ndim, offset=4))
    values = np.frombuffer(data, np.uint8, offset=header)
    if values.size != np.prod(shape):
        raise DatasetFormatError(
            f"Holds {values.size} values after its header, but the header gives "
            f"shape {shape} ({int(np.prod(shape))} values): the file is truncated or corrupt",
            str(filename),
        )
    return values.reshape(shape)


def _keras_dirs():
    """Keras's data folders: ``$KERAS_HOME``, ``~/.keras`` and ``/tmp/.keras``."""
    homes = [os.environ.get("KERAS_HOME"), os.path.join("~", ".keras"), "/tmp/.keras"]
    return [pathlib.Path(home).expanduser() / "datasets" for home in homes if home]


def _data_env_folder():
    """The folder ``$NENGO_LMU_DATA`` names; a `ValidationError` on it if there is none.

    A variable that points nowhere is a mistake to report, not a place to
    pass over silently while looking elsewhere.
    """
    value = os.environ[DATA_ENV]
    folder = pathlib.Path(value).expanduser()
    if not folder.is_dir():
        what = "a file" if folder.exists() else "not there"
        raise ValidationError(f"Must name a folder (got {value!r}: {what})", attr=DATA_ENV)
    return folder


def _places(name, path):
    source = _SOURCES[name]
    if path is not None:
        return [pathlib.Path(path).expanduser()]
    places = []
    if os.environ.get(DATA_ENV):
        places.append(_data_env_folder() / source["subdir"])
    places.extend(d / source["keras_subdir"] for d in _keras_dirs())
    places.extend(pathlib.Path(p) for p in source["system"])
    unique = []
    for place in places:
        if place not in unique:
            unique.append(place)
    return unique


def _look(name, place):
    """What ``place`` holds of data set ``name``: ``(files, None)`` or ``(None, why not)``."""
    source = _SOURCES[name]
    if place.is_file():
        if place.suffix == ".npz":
            return place, None
        return None, "a file, but not an .npz file"
    if not place.is_dir():
        return None, "does not exist"
    found = {}
    for key, stem in IDX_FILES.items():
        for candidate in (place / stem, place / f"{stem}.gz"):
            if candidate.is_file():
                found[key] = candidate
                break
    if len(found) == len(IDX_FILES):
        return found, None
    if source["npz"] and (place / source["npz"]).is_file():
        return place / source["npz"], None
    wanted = f"{source['npz']} or the four IDX files" if source["npz"] else "the four IDX files"
    if found:
        missing = [IDX_FILES[key] for key in IDX_FILES if key not in found]
        return None, f"has {len(found)} of the IDX files; missing {', '.join(missing)}[.gz]"
    return None, f"no {wanted}"


def locate_dataset(name, path=None):
    """Find the files of ``"mnist"`` or ``"fashion-mnist"``; never downloads.

    Looks, in order, in ``path`` if given (and then only there), else in
    ``$NENGO_LMU_DATA/mnist`` (or ``/fashion-mnist``), Keras's data folders
    (``$KERAS_HOME/datasets``, ``~/.keras/datasets``, ``/tmp/.keras/datasets``;
    ``.../fashion-mnist`` for Fashion-MNIST) and, for Fashion-MNIST, the folder
    of Debian's ``dataset-fashion-mnist`` package, ``/usr/share/datasets/fashion-mnist``.
    A place holds the data set if it has the four IDX files
    (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
    ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``, each plain or
    ``.gz``) or, for MNIST, Keras's ``mnist.npz``; ``path`` may also name an
    ``.npz`` file with the arrays ``x_train, y_train, x_test, y_test``.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
        The data set.
    path : str or path-like, optional
        A folder holding the files, or an ``.npz`` file.

    Returns
    -------
    dict or pathlib.Path
        The four IDX files by key (``x_train, y_train, x_test, y_test``), or the
        ``.npz`` file.

    Raises
    ------
    DatasetNotFoundError
        If no place holds the data set; the message lists every place looked
        in, why each failed, and where to put the files.
    """
    if name not in _SOURCES:
        raise ValidationError(
            f"Must be one of {sorted(_SOURCES)} (got {name!r})", attr="name"
        )
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise ValidationError(
            f"Must be a folder or an .npz file, as a str or path (got {path!r})", attr="path"
        )
    looked = [] if path is not None or os.environ.get(DATA_ENV) else [f"  ${DATA_ENV}: not set"]
    for place in _places(name, path):
        files, why_not = _look(name, place)
        if files is not None:
            return files
        looked.append(f"  {place}: {why_not}")
    raise DatasetNotFoundError(_not_found_message(name, path, looked), attr="path")


def _not_found_message(name, path, looked):
    source = _SOURCES[name]
    files = ", ".join(f"{stem}[.gz]" for stem in IDX_FILES.values())
    what = f"the four IDX files ({files})"
    if source["npz"]:
        what += f" or Keras's {source['npz']}"
    lines = [
        f"{source['title']} not found{' at the given path' if path is not None else ''} "
        "(nothing is downloaded). Looked in:",
        *looked,
        f"Put {what} in a folder and pass it as path=, or in "
        f"${DATA_ENV}/{source['subdir']} (set {DATA_ENV} to a data folder of your choice), "
        f"or in {pathlib.Path('~/.keras/datasets') / source['keras_subdir']}.",
    ]
    if name == "fashion-mnist":
        lines.append(
            "On Debian or Ubuntu, 'apt-get install dataset-fashion-mnist' puts them "
            f"in {DEBIAN_FASHION_MNIST}."
        )
    else:
        lines.append(
            "keras.datasets.mnist.load_data(), run once where it may download, "
            "leaves mnist.npz in ~/.keras/datasets."
        )
    return "\n".join(lines)


def _check_images(where, x, y):
    if x.ndim != 3 or x.shape[1:] != _IMAGE_SHAPE:
        raise DatasetFormatError(
            f"Images must have shape (n, 28, 28) (got {x.shape})", where["x"]
        )
    if y.ndim != 1:
        raise DatasetFormatError(f"Labels must have shape (n,) (got {y.shape})", where["y"])
    if len(x) != len(y):
        raise DatasetFormatError(
            f"{len(x)} images but {len(y)} labels in {where['y']}", where["x"]
        )
    if len(x) == 0:
        raise DatasetFormatError("Holds no images", where["x"])
    if not np.issubdtype(x.dtype, np.number) or x.min() < 0 or x.max() > 255:
        raise DatasetFormatError("Pixels must be numbers in 0-255", where["x"])
    if not np.issubdtype(y.dtype, np.integer):
        raise DatasetFormatError(f"Labels must be integers (got {y.dtype})", where["y"])
    bad = y[(y < 0) | (y >= _N_CLASSES)]
    if bad.size:
        raise DatasetFormatError(
            f"Labels must lie in 0-{_N_CLASSES - 1} (got {bad[0]}, "
            f"{bad.size} labels out of range)",
            where["y"],
        )


def _read_npz_split(path, split):
    """``x_<split>, y_<split>`` of an ``.npz`` archive, or a `.DatasetFormatError` on the file."""
    expected = "expected an .npz archive of x_train, y_train, x_test, y_test"
    try:
        data = np.load(path, allow_pickle=False)
        if not hasattr(data, "files"):  # np.load reads a lone .npy array too
            raise DatasetFormatError(f"Holds a single array; {expected}", str(path))
        with data as npz:
            missing = {f"x_{split}", f"y_{split}"} - set(npz.files)
            if missing:
                raise DatasetFormatError(
                    f"Has no array {', '.join(sorted(missing))} (it has "
                    f"{', '.join(npz.files) or 'none'}); {expected}",
                    str(path),
                )
            return npz[f"x_{split}"], npz[f"y_{split}"]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        if isinstance(error, DatasetFormatError):
            raise
        raise DatasetFormatError(
            f"Cannot read it as an .npz file ({error}); {expected}", str(path)
        ) from None


def load_images(name, path=None):
    """Load ``"mnist"`` or ``"fashion-mnist"`` as images, checked; never downloads.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist"}
        The data set.
    path : str or path-like, optional
        A folder holding its files, or an ``.npz`` file; see `.locate_dataset`
        for where it is looked for otherwise.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_*`` are the images as stored (uint8 for IDX files), shape
        ``(n, 28, 28)``; ``y_*`` are int64 labels, 0 to 9.

    Raises
    ------
    DatasetNotFoundError
        If the data set is nowhere (see `.locate_dataset`).
    DatasetFormatError
        If a file is not what it should be.
    """
    files = locate_dataset(name, path)
    splits = []
    for split in ("train", "test"):
        if isinstance(files, dict):
            where = {"x": str(files[f"x_{split}"]), "y": str(files[f"y_{split}"])}
            x, y = read_idx(files[f"x_{split}"]), read_idx(files[f"y_{split}"])
        else:
            where = {"x": str(files), "y": str(files)}
            x, y = _read_npz_split(files, split)
        _check_images(where, x, y)
        splits.append((x, y.astype(np.int64)))
    return tuple(splits)


def _permuted_sequences(name, perm_seed, path):
    perm_seed = check_param(PERM_SEED, perm_seed)
    permutation = np.random.RandomState(perm_seed).permutation(np.prod(_IMAGE_SHAPE))
    result = []
    for x, y in load_images(name, path):
        sequences = x.reshape(len(x), -1)[:, permutation].astype(np.float32)
        sequences /= 255
        result.append((sequences[:, :, None], y))
    return tuple(result)


def psmnist(perm_seed=0, path=None):
    """Permuted sequential MNIST: each 28x28 digit as a 784-step sequence of pixels.

    Each image's 784 pixels, scaled to [0, 1], are presented one per time step
    in an order fixed by ``perm_seed``, the same for every image. ``perm_seed=0``
    gives the permutation of the NengoDL and KerasLMU psMNIST examples,
    ``np.random.RandomState(0).permutation(784)``. MNIST's standard 60000/10000
    train/test split is kept.

    The files are read from disk and never downloaded: ``path`` if given, else
    ``$NENGO_LMU_DATA/mnist``, else Keras's cache (``~/.keras/datasets/mnist.npz``);
    see `.locate_dataset`. Without them, a `.DatasetNotFoundError` says where
    each was looked for and where to put them.

    Parameters
    ----------
    perm_seed : int
        Seed of the pixel permutation.
    path : str or path-like, optional
        A folder with the four IDX files (``train-images-idx3-ubyte[.gz]`` and
        the others) or ``mnist.npz``, or an ``.npz`` file with ``x_train,
        y_train, x_test, y_test``.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_*`` are float32 arrays of shape ``(n, 784, 1)``; ``y_*`` are int64
        arrays of shape ``(n,)`` with the digit, 0 to 9.

    Raises
    ------
    DatasetNotFoundError
        If the files are nowhere.
    DatasetFormatError
        If a file is corrupt: wrong magic number, shape or labels.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = psmnist()  # doctest: +SKIP
    >>> x_train.shape, x_test.shape  # doctest: +SKIP
    ((60000, 784, 1), (10000, 784, 1))
    """
    return _permuted_sequences("mnist", perm_seed, path)


def psfashion(perm_seed=0, path=None):
    """Permuted sequential Fashion-MNIST: psMNIST's task on Zalando's clothing images.

    The same 784-step sequences and pixel permutation as `.psmnist`, from
    Fashion-MNIST (10 classes of clothing, 60000/10000 train/test images),
    a harder drop-in replacement for MNIST.

    The files are read from disk and never downloaded: ``path`` if given, else
    ``$NENGO_LMU_DATA/fashion-mnist``, Keras's cache
    (``~/.keras/datasets/fashion-mnist``), or the folder of Debian's
    ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``);
    see `.locate_dataset`. Without them, a `.DatasetNotFoundError` says where
    each was looked for and where to put them.

    Parameters
    ----------
    perm_seed : int
        Seed of the pixel permutation, ``np.random.RandomState(perm_seed).permutation(784)``.
    path : str or path-like, optional
        A folder with the four IDX files, or an ``.npz`` file with ``x_train,
        y_train, x_test, y_test``.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_*`` are float32 arrays of shape ``(n, 784, 1)``; ``y_*`` are int64
        arrays of shape ``(n,)`` with the class, 0 to 9.

    Raises
    ------
    DatasetNotFoundError
        If the files are nowhere.
    DatasetFormatError
        If a file is corrupt: wrong magic number, shape or labels.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = psfashion()  # doctest: +SKIP
    >>> x_train.shape, x_test.shape  # doctest: +SKIP
    ((60000, 784, 1), (10000, 784, 1))
    """
    return _permuted_sequences("fashion-mnist", perm_seed, path)




def check_sequence_data(data, n_classes=10):
    """Check a sequence classification data set; return it as float32 / int64 arrays.

    Parameters
    ----------
    data : tuple
        ``(x_train, y_train), (x_test, y_test)``, as the loaders in
        `.SEQUENCE_DATASETS` return: ``x_*`` of shape ``(n, steps, dims)``,
        finite, with the same ``steps`` and ``dims`` in both splits; ``y_*`` of
        shape ``(n,)``, integer class labels in ``0 .. n_classes - 1``.
    n_classes : int
        The number of classes.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x_*`` as float32, ``y_*`` as int64.

    Raises
    ------
    nengo.exceptions.ValidationError
        On ``data``, naming the array and the problem, if anything is wrong.
    """
    n_classes = check_param(N_CLASSES, n_classes)
    try:
        (x_train, y_train), (x_test, y_test) = data
    except (TypeError, ValueError):
        raise ValidationError(
            "Must be ((x_train, y_train), (x_test, y_test))", attr="data"
        ) from None
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    for name, value in arrays.items():
        try:
            arrays[name] = np.asarray(value)
        except (TypeError, ValueError) as error:
            raise ValidationError(f"{name} is not an array ({error})", attr="data") from None
        if not np.issubdtype(arrays[name].dtype, np.number) or np.issubdtype(
            arrays[name].dtype, np.complexfloating
        ):
            raise ValidationError(
                f"{name} must hold real numbers (got dtype {arrays[name].dtype})", attr="data"
            )
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3:
            raise ValidationError(
                f"x_{split} must have shape (n, steps, dims) (got {x.shape}); "
                "a sequence of scalars is (n, steps, 1)",
                attr="data",
            )
        if y.ndim != 1:
            raise ValidationError(
                f"y_{split} must have shape (n,), one label per sequence (got {y.shape})",
                attr="data",
            )
        if len(x) == 0 or len(x) != len(y):
            raise ValidationError(
                f"x_{split} has {len(x)} sequences and y_{split} {len(y)} labels; "
                "they must be the same number, at least one",
                attr="data",
            )
        if not np.all(np.isfinite(x)):
            raise ValidationError(f"x_{split} has non-finite values", attr="data")
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValidationError(f"y_{split} must hold integer labels", attr="data")
        bad = y[(y < 0) | (y >= n_classes)]
        if bad.size:
            raise ValidationError(
                f"y_{split} labels must lie in 0-{n_classes - 1} (got {bad[0]:g}, "
                f"{bad.size} out of range)",
                attr="data",
            )
    if arrays["x_train"].shape[1:] != arrays["x_test"].shape[1:]:
        raise ValidationError(
            f"x_train's (steps, dims) {arrays['x_train'].shape[1:]} differ from "
            f"x_test's {arrays['x_test'].shape[1:]}",
            attr="data",
        )
    return (
        (arrays["x_train"].astype(np.float32, copy=False), arrays["y_train"].astype(np.int64)),
        (arrays["x_test"].astype(np.float32, copy=False), arrays["y_test"].astype(np.int64)),
    )


#: Sequence classification data sets by name, as the ``train`` command knows them.
#: Each is a function returning ``(x_train, y_train), (x_test, y_test)`` with ``x``
#: float32 of shape ``(n, steps, 1)`` in [0, 1] and ``y`` integer class labels.
SEQUENCE_DATASETS = {"psdigits": psdigits, "psmnist": psmnist, "psfashion": psfashion}
