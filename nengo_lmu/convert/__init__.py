"""Models brought into nengo-lmu from other formats.

- `nengo_lmu.convert.keras_lmu`: a trained KerasLMU model as the spec and
  params of an `.LMUCell` model (`from_keras_lmu`).
"""
