"""The demos of ``nengo-lmu demo NAME``: one module per demo, named after it.

`DEMOS` maps each name to its function, which takes ``seed``, ``backend``,
``plot`` and ``duration`` and returns the demo's metrics (a dict, ``nrmse``
last). `nengo_lmu.demos.online` holds what the online-learning demos share.
"""

from nengo.exceptions import ValidationError

from nengo_lmu.demos.ideal_delay import run_ideal_delay_demo
from nengo_lmu.demos.learn_delay import run_delay_learning_demo
from nengo_lmu.demos.learn_product import run_product_learning_demo
from nengo_lmu.demos.mackey_glass import run_mackey_glass_demo
from nengo_lmu.params import DURATION, SEED, check_param
from nengo_lmu.utils.commands import check_output_path

#: ``nengo-lmu demo NAME`` -> the function that runs it; the first is the default
DEMOS = {
    "learn-delay": run_delay_learning_demo,
    "learn-product": run_product_learning_demo,
    "mackey-glass": run_mackey_glass_demo,
    "ideal-delay": run_ideal_delay_demo,
}
#: the demos that learn online (PES), compared across backends by
#: ``nengo-lmu bench online-learning``
ONLINE_LEARNING_DEMOS = ("learn-delay", "learn-product", "mackey-glass")
#: demos that take a ``population`` (`.LearnedReadout`'s), and the populations
POPULATION_DEMOS = ("learn-product",)
POPULATIONS = ("window", "pairs", "array")


def run_demo(name, seed=0, backend=None, plot=None, duration=None, population=None):
    """Run the demo ``name`` (a key of `DEMOS`); return its metrics.

    ``duration`` and ``population`` are passed on only if given, so each demo
    keeps its own defaults. ``seed``, ``duration`` and ``plot`` (a path whose
    folder can be written) are checked before anything is built.

    Raises
    ------
    nengo.exceptions.ValidationError
        For a bad argument, naming it.
    nengo_lmu.exceptions.DemoInterrupted
        On Ctrl-C during the run, with the metrics of the part run.
    """
    if name not in DEMOS:
        raise ValidationError(f"Unknown demo {name!r}; choose from {', '.join(DEMOS)}", "name")
    if population is not None and name not in POPULATION_DEMOS:
        raise ValidationError("Only the learn-product demo takes --population", "population")
    options = dict(
        seed=check_param(SEED, seed), backend=backend, plot=check_output_path(plot, "plot")
    )
    duration = check_param(DURATION, duration)
    if duration is not None:
        options["duration"] = duration
    if population is not None:
        options["population"] = population
    return DEMOS[name](**options)
