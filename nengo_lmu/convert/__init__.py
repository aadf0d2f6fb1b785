"""Models converted between nengo-lmu and other formats, in one place.

- `nengo_lmu.convert.nir`: NIR, both ways (the 'nir' extra). Its
  `~nengo_lmu.convert.nir.to_nir` exports a spiking nengo network,
  `~nengo_lmu.convert.nir.from_nir` imports a graph as a nengo network; the
  neuron types and the time-constant convention they share are its
  ``neurons`` and ``conventions``.
- `nengo_lmu.convert.keras_lmu`: a trained KerasLMU model (keras-lmu, the
  'bench' extra) as the spec and params of an `.LMUCell` model
  (`from_keras_lmu`, re-exported by `nengo_lmu.training`).
- `nengo_lmu.convert.command`: the ``nengo-lmu convert`` command.

``nengo_lmu.nir``, the NIR module's first place, still imports, with a
`DeprecationWarning`.
"""

# nengo_lmu.training re-exports the converter, which uses the training's spec:
# importing the training first lets either be imported first without a circle
import nengo_lmu.training  # noqa: F401  pylint: disable=unused-import
