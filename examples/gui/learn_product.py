"""learn-product in nengo-gui: PES learning ``u(t) * u(t - 0.5)`` from an LMU memory.

A nonlinear function of the window: the memory's two window samples drive
1000 spiking neurons, and PES learns their product. The ``learning`` slider
turns learning off (0) and on (1); the slider over the input overrides the
white noise while you hold it.

Open with ``nengo examples/gui/learn_product.py`` or ``nengo-lmu gui learn-product``.
"""

from nengo_lmu.gui.models import learn_product_model

model = learn_product_model()
