"""The modules of nengo-lmu's first, flat layout, importable for one more release.

``import nengo_lmu.deploy`` (or ``from nengo_lmu.train_cli import RECIPES``)
still works, with a `DeprecationWarning` that names the new place. Each old
module is a stand-in whose attributes are looked up in the modules its
contents moved to, in order.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings

#: old module -> the modules its contents now live in (the first is named in the warning)
MOVED = {
    "nengo_lmu.validation": ("nengo_lmu.params",),
    "nengo_lmu.scaling": ("nengo_lmu.state_statistics",),
    "nengo_lmu.tables": ("nengo_lmu.utils.commands",),
    "nengo_lmu.loihi_mapping": ("nengo_lmu.loihi.mapping",),
    "nengo_lmu.deploy": ("nengo_lmu.training.deployment", "nengo_lmu.loihi.model"),
    "nengo_lmu.train_cli": (
        "nengo_lmu.training.command",
        "nengo_lmu.training.recipes",
        "nengo_lmu.utils.commands",
    ),
    "nengo_lmu.demo": ("nengo_lmu.demos.ideal_delay",),
    "nengo_lmu.learning_demo": (
        "nengo_lmu.demos.learn_delay",
        "nengo_lmu.demos.mackey_glass",
        "nengo_lmu.demos.online",
        "nengo_lmu.loihi.model",
        "nengo_lmu.loihi.pes",
    ),
    "nengo_lmu.product_demo": ("nengo_lmu.demos.learn_product",),
    "nengo_lmu.capacity": ("nengo_lmu.benchmarks.capacity",),
    "nengo_lmu.memory_benchmarks": ("nengo_lmu.benchmarks.memories",),
    "nengo_lmu.memory_bench_cli": ("nengo_lmu.benchmarks.spiking_memory",),
    "nengo_lmu.keras_baseline": ("nengo_lmu.benchmarks.keras_lmu",),
    "nengo_lmu.learning_bench": ("nengo_lmu.benchmarks.online_learning",),
    "nengo_lmu.loihi_bench": ("nengo_lmu.benchmarks.loihi_mapping",),
    "nengo_lmu.training_bench": ("nengo_lmu.benchmarks.training",),
    "nengo_lmu.backend_bench": (
        "nengo_lmu.benchmarks.backends",
        "nengo_lmu.benchmarks.backend_networks",
        "nengo_lmu.benchmarks.batched",
    ),
    "nengo_lmu.nir": ("nengo_lmu.convert.nir",),
}


class MovedModule(types.ModuleType):
    """A stand-in for an old module: its attributes are those of the new ones."""

    def __init__(self, name, targets):
        super().__init__(name, f"Moved to {', '.join(targets)}.")
        self._targets = [importlib.import_module(target) for target in targets]

    def __getattr__(self, attr):
        for module in self._targets:
            if hasattr(module, attr):
                return getattr(module, attr)
        raise AttributeError(f"module {self.__name__!r} has no attribute {attr!r}")

    def __dir__(self):
        return sorted({name for module in self._targets for name in dir(module)})


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old modules of `MOVED`, warns, and returns their stand-ins."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        targets = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} has moved to {targets[0]}; the old name will be removed in "
            f"the release after nengo-lmu 0.1",
            DeprecationWarning,
            stacklevel=_import_stacklevel(),
        )
        return MovedModule(spec.name, targets)

    def exec_module(self, module):
        """Nothing to run: the stand-in reads the new modules."""


def _import_stacklevel():
    """The stack level of the code that wrote the import, past importlib's frames."""
    frame, level = sys._getframe(1), 1  # pylint: disable=protected-access
    while frame is not None and (
        frame.f_code.co_filename.startswith("<frozen importlib")
        or frame.f_code.co_filename == __file__
    ):
        frame, level = frame.f_back, level + 1
    return level


def install():
    """Make the old module names importable (once per process)."""
    if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())
