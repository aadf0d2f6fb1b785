"""nengo-gui's server for one demo, on localhost: for ``nengo-lmu gui`` and the browser test.

nengo-gui (GPL) is used as a library, imported only here and only when a
server is made, so that nothing else needs the ``gui`` extra.
"""

import pathlib

from nengo.exceptions import ValidationError

from nengo_lmu.backends import _BACKEND_MODULES
from nengo_lmu.exceptions import BackendUnavailableError
from nengo_lmu.gui import examples

#: the folder of the demo scripts and their layouts (``examples/gui/`` in the source tree)
SCRIPTS = pathlib.Path(examples.__file__).parent
#: ``nengo-lmu gui NAME`` -> the script nengo-gui runs; the first is the default
GUI_DEMOS = {
    "learn-delay": "learn_delay.py",
    "learn-product": "learn_product.py",
    "mackey-glass": "mackey_glass.py",
}
DEFAULT_PORT = 8080


def demo_script(name):
    """The path of demo ``name``'s script (its layout is beside it, with ``.cfg`` added)."""
    if name not in GUI_DEMOS:
        raise ValidationError(
            f"Unknown GUI demo {name!r}; choose from {', '.join(GUI_DEMOS)}", "name"
        )
    return SCRIPTS / GUI_DEMOS[name]


def import_nengo_gui():
    """nengo-gui's modules, or an error that says how to install them."""
    try:
        # pylint: disable=import-outside-toplevel
        import nengo_gui.components.editor
        import nengo_gui.gui
        import nengo_gui.guibackend
        import nengo_gui.page
    except ImportError as error:
        raise BackendUnavailableError(
            "nengo-gui is not installed: pip install 'nengo-lmu[gui]'"
        ) from error
    return nengo_gui


def make_gui(
    name, port=DEFAULT_PORT, backend="nengo", filename_cfg=None, editor=False, thread=False
):
    """nengo-gui's server for demo ``name`` on ``localhost:port``, bound but not started.

    Parameters
    ----------
    name : str
        A key of `GUI_DEMOS`.
    port : int
        The port to listen on (localhost only).
    backend : str
        A resolved backend name (`nengo_lmu.backends.BACKENDS`) but ``"dl"``;
        nengo-gui builds the model with that package's ``Simulator`` and its
        defaults (on nengo-loihi, its own target and PES parameters, not the
        demos').
    filename_cfg : str or None
        The layout file to read and save; None: the one beside the script.
    editor : bool
        Whether the page shows the script's editor (the script only calls
        `nengo_lmu.gui.models`: the plots get the room by default).
    thread : bool
        Return a ``nengo_gui.gui.GuiThread`` (``start()`` returns at once;
        ``shutdown()`` stops it) rather than a ``BaseGUI`` (``start()``
        serves until the last page closes).

    Returns
    -------
    nengo_gui.gui.BaseGUI
        Its ``server.get_url()`` is the address with nengo-gui's token.
    """
    if backend == "dl":
        raise ValidationError(
            "nengo-dl is not offered: on it the demos' targets, read from the input "
            "as it arrives, stay at zero (it evaluates a Node without inputs ahead "
            "of the steps that feed it); use nengo or loihi-sim", "backend",
        )
    nengo_gui = import_nengo_gui()
    context = nengo_gui.guibackend.ModelContext(filename=str(demo_script(name)))
    settings = nengo_gui.guibackend.GuiServerSettings(("localhost", port))
    page = nengo_gui.page.PageSettings(
        filename_cfg=None if filename_cfg is None else str(filename_cfg),
        backend=_BACKEND_MODULES[backend][0],
        **({} if editor else {"editor_class": nengo_gui.components.editor.NoEditor}),
    )
    gui_class = nengo_gui.gui.GuiThread if thread else nengo_gui.gui.BaseGUI
    return gui_class(context, settings, page)
