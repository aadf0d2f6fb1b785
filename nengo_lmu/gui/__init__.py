"""The online-learning demos in nengo-gui: ``nengo-lmu gui [DEMO]``.

`nengo_lmu.gui.models` builds the demos' networks for watching (the networks
of ``nengo-lmu demo``, plus a learning switch and a comparison plot);
`nengo_lmu.gui.examples` holds the scripts nengo-gui runs, with their ``.cfg``
layouts (in the source tree, ``examples/gui/``: ``nengo examples/gui/learn_delay.py``
opens one); `nengo_lmu.gui.server` serves them; `nengo_lmu.gui.command` is the
subcommand. nengo-gui itself is the ``gui`` extra (``pip install nengo-lmu[gui]``).
"""
