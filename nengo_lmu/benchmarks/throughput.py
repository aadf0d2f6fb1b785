"""``nengo-lmu bench throughput``: training speed side by side, in one run.

The same data, the same model sizes, the same machine, one after the other in
one process: our parallel training (`nengo_lmu.training.parallel`: one NengoDL
step per sequence), our step-by-step training (NengoDL steps through every
element), and KerasLMU's ``LMU`` with a ``Dense`` rectified-linear hidden cell
(its own parallel path, an FFT convolution). Each is timed at steady state:
ours over the batches after the first (the first builds the graph), KerasLMU's
over its last epoch (the first also builds its graph). The parallel path's
whole first epoch, with the memory states it computes once before training
and the graph building, is printed too (``parallel_epoch_sequences_per_second``). The step-by-step and
KerasLMU paths are slow enough that they are timed on a subset.
"""

import sys


from nengo_lmu.benchmarks import keras_lmu
from nengo_lmu.datasets import SEQUENCE_DATASETS
from nengo_lmu.params import BATCH_SIZE, ORDER, SEED, UNITS, IntParam, check_param
from nengo_lmu.training.fit import fit
from nengo_lmu.training.recipes import RECIPES, load_dataset
from nengo_lmu.training.spec import make_spec
from nengo_lmu.utils.commands import format_table, positive_int, print_metrics, seed_arg

_STEPS_BATCHES = IntParam("steps_batches", low=3)
_KERAS_SEQUENCES = IntParam("keras_sequences", low=1)


def _steady_rate(info, batch_size):
    """Sequences per second over the batches after the first."""
    return batch_size / info["steady_seconds_per_batch"]


def run_throughput(dataset="psfashion", units=None, order=None, batch_size=None,
                   steps_batches=4, keras_sequences=400, seed=0, progress_bar=True):
    """Time the three training paths on ``dataset``; return their figures (a dict).

    ``units``, ``order`` and ``batch_size`` default to the data set's recipe
    (`nengo_lmu.training.recipes.RECIPES`); the parallel path trains one epoch
    of the whole training set, the step-by-step path ``steps_batches``
    batches, KerasLMU two epochs of ``keras_sequences`` sequences.
    """
    recipe = RECIPES.get(dataset, RECIPES["psdigits"])
    units = check_param(UNITS, recipe["units"] if units is None else units)
    order = check_param(ORDER, recipe["order"] if order is None else order)
    batch_size = check_param(BATCH_SIZE, recipe["batch_size"] if batch_size is None
                             else batch_size)
    steps_batches = check_param(_STEPS_BATCHES, steps_batches)
    keras_sequences = check_param(_KERAS_SEQUENCES, keras_sequences)
    seed = check_param(SEED, seed)
    keras_lmu._import_keras_lmu()  # pylint: disable=protected-access
    (x, y), (x_test, y_test) = load_dataset(dataset)
    spec = make_spec("classify", x.shape[1], x.shape[2], 10, units, order,
                     hidden_to_hidden=False, seed=seed)
    result = dict(dataset=dataset, n_steps=x.shape[1], units=units, order=order,
                  batch_size=batch_size)

    _, info = fit(spec, x, y, epochs=1, batch_size=batch_size, mode="parallel",
                  progress_bar=progress_bar)
    result["parallel_sequences_timed"] = info["sequences"]
    result["parallel_sequences_per_second"] = _steady_rate(info, batch_size)
    # the whole epoch: the memory states (computed once), the graph, every batch
    result["parallel_memory_seconds"] = info["memory_seconds"]
    result["parallel_epoch_sequences_per_second"] = info["sequences"] / (
        info["memory_seconds"] + info["seconds"]
    )

    n = steps_batches * batch_size
    _, info = fit(spec, x[:n], y[:n], epochs=1, batch_size=batch_size, mode="steps",
                  max_batches=steps_batches, progress_bar=progress_bar)
    result["steps_sequences_timed"] = info["sequences"]
    result["steps_sequences_per_second"] = _steady_rate(info, batch_size)

    k = min(keras_sequences, len(x))
    keras = keras_lmu.train_keras_lmu(
        ((x[:k], y[:k]), (x_test[:batch_size], y_test[:batch_size])), units, order,
        theta=float(x.shape[1]), epochs=2, batch_size=batch_size, seed=seed,
        hidden="relu-dense", verbose=progress_bar,
    )
    result["keras_sequences_timed"] = k
    result["keras_sequences_per_second"] = k / keras["epoch_seconds"][-1]

    parallel = result["parallel_sequences_per_second"]
    result["speedup_vs_steps"] = parallel / result["steps_sequences_per_second"]
    result["speedup_vs_keras_lmu"] = parallel / result["keras_sequences_per_second"]
    return result


def format_throughput(result):
    """The three paths as a table."""
    rows = [
        [label, result[f"{key}_sequences_timed"], f"{result[f'{key}_sequences_per_second']:.4g}",
         f"{result['parallel_sequences_per_second'] / result[f'{key}_sequences_per_second']:.4g}"]
        for label, key in (("ours, parallel (NengoDL, one step per sequence)", "parallel"),
                           ("ours, step by step (NengoDL)", "steps"),
                           ("KerasLMU LMU, Dense relu hidden (FFT)", "keras"))
    ]
    return format_table(["training path", "sequences timed", "sequences/s",
                         "parallel is x faster"], rows)


def cmd_bench_throughput(args):
    """Print the table, then the figures as ``name=value``."""
    try:
        keras_lmu._import_keras_lmu()  # pylint: disable=protected-access
    except ImportError as error:
        sys.exit(f"nengo-lmu: error: {error}")
    result = run_throughput(args.dataset, units=args.units, order=args.order,
                            batch_size=args.batch_size, steps_batches=args.steps_batches,
                            keras_sequences=args.keras_sequences, seed=args.seed)
    print(f"Training throughput on {result['dataset']} ({result['n_steps']} steps, units "
          f"{result['units']}, order {result['order']}, batch {result['batch_size']}), one "
          f"process, one after the other")
    print(format_throughput(result))
    print_metrics(result)


def register(benches):
    """Add ``throughput`` to the ``nengo-lmu bench`` subcommands."""
    sub = benches.add_parser(
        "throughput",
        help="training speed side by side: our parallel training, our step-by-step "
        "training and KerasLMU (needs: pip install nengo-lmu[bench])",
    )
    sub.add_argument("--dataset", default="psfashion", choices=sorted(SEQUENCE_DATASETS),
                     help="psfashion (default), psmnist or psdigits")
    sub.add_argument("--units", type=positive_int, default=None, help="default: the recipe's")
    sub.add_argument("--order", type=positive_int, default=None, help="default: the recipe's")
    sub.add_argument("--batch-size", type=positive_int, default=None, help="default: the recipe's")
    sub.add_argument("--steps-batches", type=positive_int, default=4,
                     help="batches the step-by-step path is timed on (default: 4)")
    sub.add_argument("--keras-sequences", type=positive_int, default=400,
                     help="sequences per KerasLMU epoch (two epochs; default: 400)")
    sub.add_argument("--seed", type=seed_arg, default=0, help="random seed (default: 0)")
    sub.set_defaults(func=cmd_bench_throughput, backend=None)
