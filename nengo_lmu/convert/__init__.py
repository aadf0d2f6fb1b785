"""Models brought into nengo-lmu from other formats.

- `nengo_lmu.convert.keras_lmu`: a trained KerasLMU model as the spec and
  params of an `.LMUCell` model (`from_keras_lmu`, re-exported by
  `nengo_lmu.training`).
- `nengo_lmu.convert.command`: the ``nengo-lmu convert`` command.
"""

# nengo_lmu.training re-exports the converter, which uses the training's spec:
# importing the training first lets either be imported first without a circle
import nengo_lmu.training  # noqa: F401  pylint: disable=unused-import
