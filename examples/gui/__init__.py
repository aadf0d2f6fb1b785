"""The online-learning demos as nengo-gui scripts, each with its ``.cfg`` layout beside it.

``nengo examples/gui/learn_delay.py`` (or ``nengo-lmu gui learn-delay``) opens
one. Installed as ``nengo_lmu.gui.examples``, so that ``nengo-lmu gui`` finds
them in an installed package too.
"""
