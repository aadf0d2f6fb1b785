"""mackey-glass in nengo-gui: predicting the Mackey-Glass series 15 samples ahead, learning online.

While learning, the memory sees the series 15 samples late and PES learns
to output the present; turn learning off (the ``learning`` slider to 0) and
the memory sees the present: the same weights now predict the series 15
samples ahead (compare the learned output with ``series 15 samples on``).

Open with ``nengo examples/gui/mackey_glass.py`` or ``nengo-lmu gui mackey-glass``.
"""

from nengo_lmu.gui.models import mackey_glass_model

model = mackey_glass_model()
