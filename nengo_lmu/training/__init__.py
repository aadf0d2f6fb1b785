"""Train an `.LMUCell` with NengoDL; evaluate it as rates, as spikes, on any backend.

The modules depend on each other one way, each only on those above it:

- `nengo_lmu.training.spec`: a model's *spec* and *params*, the network they
  build (`build_model`), saving and loading.
- `nengo_lmu.training.sequences`: running a model over sequences (`predict`
  in NengoDL, `run_sequences` on any backend).
- `nengo_lmu.training.parallel`: a feedforward cell trained in parallel over
  time, as one NengoDL step per sequence, with the step-by-step model's params.
- `nengo_lmu.training.checkpoint`: training checkpoints, to resume exactly.
- `nengo_lmu.training.fit`: training (`fit`, `train_classifier`,
  `train_regressor`) and `evaluate_classifier`.
- `nengo_lmu.training.deployment`: a trained model as a Loihi-ready spiking
  network (`~nengo_lmu.training.deployment.deploy`).
- `nengo_lmu.training.recipes`: the recipes per data set;
  `nengo_lmu.training.command`: the ``nengo-lmu train`` command.

The functions of the first three are importable from here, and
`~nengo_lmu.convert.keras_lmu.from_keras_lmu` (a trained KerasLMU model as a
spec and params).
"""

from nengo_lmu.convert.keras_lmu import from_keras_lmu

from nengo_lmu.training.fit import evaluate_classifier, fit, train_classifier, train_regressor
from nengo_lmu.training.sequences import (
    accuracy,
    predict,
    run_sequences,
    sequence_model,
    simulate_states,
)
from nengo_lmu.training.spec import (
    SPIKING_COUNTERPARTS,
    LMUModel,
    build_model,
    check_sequences,
    get_params,
    hold_elements,
    load_model,
    make_spec,
    neuron_type_from_name,
    save_model,
    set_params,
    spiking_name,
    steps_per_element,
)
