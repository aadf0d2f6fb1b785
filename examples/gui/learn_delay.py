"""The main demo in nengo-gui: an LMU memory and a PES readout learning a 0.5 s delay.

White noise (2 Hz) goes into an order-8 Legendre memory of a one-second
window; 1000 spiking neurons read the memory, and PES learns their output
to be the input half a second ago. Press play and watch the learned output
catch up with the target. The slider over the input overrides the noise
while you hold it; the ``learning`` slider turns learning off (0) and on (1).

Open with ``nengo examples/gui/learn_delay.py`` or ``nengo-lmu gui``.
"""

from nengo_lmu.gui.models import learn_delay_model

model = learn_delay_model()
