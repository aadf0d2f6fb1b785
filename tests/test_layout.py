"""The package's layout: dependencies one way, parameters defined once, old paths kept.

These read the source (with `ast`) rather than importing it, so that an import
deferred into a function counts as much as one at the top of a module.
"""

import ast
import configparser
import importlib
import pathlib
import warnings

import pytest

import nengo_lmu.loihi
import nengo_lmu.networks.memory
import nengo_lmu.training
from nengo_lmu import _deprecated

ROOT = pathlib.Path(__file__).parents[1]
# the installed name of each source folder (setup.cfg's package_dir)
PACKAGES = {"nengo_lmu": ROOT / "nengo_lmu", "nengo_lmu.networks": ROOT / "networks",
            "nengo_lmu.gui.examples": ROOT / "examples" / "gui"}
PARAM_TYPES = {"IntParam", "NumberParam", "EnumParam", "BoolParam"}


def project_modules():
    """Module name -> parsed source, for every module of the project."""
    modules = {}
    for package, folder in PACKAGES.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            name = ".".join([package, *parts])
            modules[name] = (path, ast.parse(path.read_text(), filename=str(path)))
    return modules


MODULES = project_modules()


def _resolve(module, node):
    """The absolute module an ``ImportFrom`` in ``module`` names."""
    if not node.level:
        return node.module
    is_package = MODULES[module][0].name == "__init__.py"
    base = module.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imported_modules(module):
    """The project modules ``module`` imports anywhere (top level or in a function)."""
    found = set()
    for node in ast.walk(MODULES[module][1]):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                # ``from package import submodule`` imports the submodule
                found.add(submodule if submodule in MODULES else source)
    return {name for name in found if name in MODULES}


def test_every_module_is_found():
    """The walk over the source sees the whole package (a guard for the tests below)."""
    assert {"nengo_lmu", "nengo_lmu.networks.memory", "nengo_lmu.loihi.checks",
            "nengo_lmu.training.deployment", "nengo_lmu.benchmarks.backends",
            "nengo_lmu.demos.learn_delay", "nengo_lmu.cli"} <= set(MODULES)
    assert imported_modules("nengo_lmu.training.deployment") >= {
        "nengo_lmu.training.spec", "nengo_lmu.training.sequences"
    }
    assert "nengo_lmu.networks.memory" in imported_modules("nengo_lmu.networks.cell")


def find_cycle(graph):
    """One import circle of ``graph`` (module -> imported modules) as a list, or None."""
    done, stack = set(), []

    def visit(node):
        if node in stack:
            return stack[stack.index(node):] + [node]
        if node in done:
            return None
        stack.append(node)
        for child in sorted(graph[node]):
            cycle = visit(child)
            if cycle:
                return cycle
        stack.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        cycle = visit(node)
        if cycle:
            return cycle
    return None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_import_circle():
    graph = {module: imported_modules(module) for module in MODULES}
    assert find_cycle(graph) is None


def test_nothing_imports_the_command_line():
    importers = [m for m in MODULES if "nengo_lmu.cli" in imported_modules(m)]
    assert importers == []


def test_no_project_import_deferred_into_a_function():
    """Imports of the project's own modules stand at the top of each module.

    Deferred imports of optional or heavy third-party packages (TensorFlow,
    nengo-loihi, keras-lmu, matplotlib) are fine, and not looked at here.
    """
    deferred = []
    for module, (path, tree) in MODULES.items():
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = (
                        [a.name for a in node.names] if isinstance(node, ast.Import)
                        else [_resolve(module, node)]
                    )
                    if any(n.split(".")[0] == "nengo_lmu" for n in names):
                        deferred.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert deferred == []


def module_level_params():
    """(parameter name, where) for every module-level ``nengo.params`` parameter."""
    found = []
    for module, (path, tree) in MODULES.items():
        for node in tree.body:
            if not isinstance(node, ast.Assign) or not isinstance(node.value, ast.Call):
                continue
            func = node.value.func
            kind = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if kind in PARAM_TYPES and node.value.args:
                name = ast.literal_eval(node.value.args[0])
                found.append((name, f"{module}:{node.lineno}"))
    return found


def test_each_function_parameter_is_defined_once():
    params = module_level_params()
    # the walk sees them
    assert any(n == "order" and w.startswith("nengo_lmu.params:") for n, w in params)
    seen = {}
    for name, where in params:
        seen.setdefault(name, []).append(where)
    twice = {name: places for name, places in seen.items() if len(places) > 1}
    assert twice == {}


# (old module, a name it had) -> the module the name lives in now
OLD_NAMES = [
    ("nengo_lmu.validation", "check_param", "nengo_lmu.params"),
    ("nengo_lmu.scaling", "whitening_transform", "nengo_lmu.state_statistics"),
    ("nengo_lmu.tables", "format_table", "nengo_lmu.utils.commands"),
    ("nengo_lmu.loihi_mapping", "loihi_mapping", "nengo_lmu.loihi.mapping"),
    ("nengo_lmu.deploy", "deploy", "nengo_lmu.training.deployment"),
    ("nengo_lmu.deploy", "loihi_model", "nengo_lmu.loihi.model"),
    ("nengo_lmu.deploy", "LOIHI_DELAY_STEPS", "nengo_lmu.loihi.model"),
    ("nengo_lmu.train_cli", "RECIPES", "nengo_lmu.training.recipes"),
    ("nengo_lmu.train_cli", "readout_synapse_arg", "nengo_lmu.utils.commands"),
    ("nengo_lmu.demo", "run_ideal_delay_demo", "nengo_lmu.demos.ideal_delay"),
    ("nengo_lmu.learning_demo", "run_delay_learning_demo", "nengo_lmu.demos.learn_delay"),
    ("nengo_lmu.learning_demo", "run_mackey_glass_demo", "nengo_lmu.demos.mackey_glass"),
    ("nengo_lmu.learning_demo", "filtered_like_output", "nengo_lmu.demos.online"),
    ("nengo_lmu.learning_demo", "loihi_learning_options", "nengo_lmu.loihi.model"),
    ("nengo_lmu.learning_demo", "loihi_pes_error_step", "nengo_lmu.loihi.pes"),
    ("nengo_lmu.product_demo", "run_product_learning_demo", "nengo_lmu.demos.learn_product"),
    ("nengo_lmu.capacity", "run_capacity", "nengo_lmu.benchmarks.capacity"),
    ("nengo_lmu.memory_benchmarks", "memory_errors", "nengo_lmu.benchmarks.memories"),
    ("nengo_lmu.memory_bench_cli", "run_comparison", "nengo_lmu.benchmarks.spiking_memory"),
    ("nengo_lmu.keras_baseline", "train_keras_lmu", "nengo_lmu.benchmarks.keras_lmu"),
    ("nengo_lmu.learning_bench", "BASELINES", "nengo_lmu.benchmarks.online_learning"),
    ("nengo_lmu.loihi_bench", "build_memory_model", "nengo_lmu.benchmarks.loihi_mapping"),
    ("nengo_lmu.training_bench", "run_comparison", "nengo_lmu.benchmarks.training"),
    ("nengo_lmu.backend_bench", "run_backend_table", "nengo_lmu.benchmarks.backends"),
    ("nengo_lmu.backend_bench", "BENCH_NETWORKS", "nengo_lmu.benchmarks.backend_networks"),
    ("nengo_lmu.backend_bench", "compare_batched", "nengo_lmu.benchmarks.batched"),
    ("nengo_lmu.nir", "export_nir", "nengo_lmu.convert.nir.to_nir"),
    ("nengo_lmu.nir", "import_nir", "nengo_lmu.convert.nir.from_nir"),
    ("nengo_lmu.nir", "NIRLIF", "nengo_lmu.convert.nir.neurons"),
]


def test_every_moved_module_is_in_the_table():
    assert {old for old, _, _ in OLD_NAMES} == set(_deprecated.MOVED)


@pytest.mark.parametrize("old, name, new", OLD_NAMES)
def test_old_module_paths_warn_and_still_work(old, name, new, monkeypatch):
    monkeypatch.delitem(importlib.sys.modules, old, raising=False)
    with pytest.warns(DeprecationWarning, match=f"{old} has moved to {_deprecated.MOVED[old][0]}"):
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)
    assert name in dir(module)


def test_old_module_path_names_a_missing_attribute():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        module = importlib.import_module("nengo_lmu.deploy")
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        module.not_a_name  # pylint: disable=pointless-statement


def test_kept_packages_keep_their_names():
    """``nengo_lmu.training`` and ``nengo_lmu.loihi`` became packages that keep their names."""
    for name in ("train_classifier", "fit", "predict", "run_sequences", "build_model",
                 "save_model", "load_model", "make_spec", "accuracy", "check_sequences"):
        assert callable(getattr(nengo_lmu.training, name)), name
    for name in ("preflight", "check_loihi_ready", "LoihiPreflightError", "chip_ensembles",
                 "CHIP_NEURON_TYPES", "LOIHI_DT"):
        assert hasattr(nengo_lmu.loihi, name), name
    # documented at its old place before the Loihi-ready build moved to nengo_lmu.loihi
    assert nengo_lmu.networks.memory.Mirrored is nengo_lmu.loihi.Mirrored


def test_setup_cfg_lists_every_package():
    """A wheel holds only the packages setup.cfg names: each subpackage must be there."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    listed = set(config["options"]["packages"].split())
    packages = {name for name, (path, _) in MODULES.items() if path.name == "__init__.py"}
    assert listed == packages
