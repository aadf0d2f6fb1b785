"""``nengo-lmu gui [DEMO]``: open an online-learning demo in nengo-gui."""

import errno
import sys
import threading
import webbrowser

from nengo.exceptions import ValidationError

from nengo_lmu.backends import BACKENDS
from nengo_lmu.gui.server import DEFAULT_PORT, GUI_DEMOS, make_gui
from nengo_lmu.utils.commands import positive_int


def cmd_gui(args):
    port = DEFAULT_PORT if args.port is None else args.port
    if not 0 < port <= 0xFFFF:
        raise ValidationError(f"Must be a port number, 1 to 65535 (got {port})", "--port")
    while True:
        try:
            gui = make_gui(args.name, port=port, backend=args.backend)
            break
        except OSError as error:
            # like nengo-gui's own command: the next port, unless one was asked for
            if args.port is not None or error.errno != errno.EADDRINUSE or port >= 0xFFFF:
                raise
            port += 1
    print(f"url={gui.server.get_url()}", flush=True)
    if args.browser:
        # a one-time token: the address printed above stays the one to share
        url = str(gui.server.get_url(token="one-time"))
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    print("Serving until the last browser page closes (Ctrl-C stops it)", file=sys.stderr)
    gui.start()


def register(commands):
    """Add the ``gui`` subcommand to ``commands`` (argparse subparsers)."""
    gui = commands.add_parser(
        "gui",
        help="open an online-learning demo in nengo-gui (the 'gui' extra), "
        "learning while you watch: learn-delay (the main one), learn-product or "
        "mackey-glass; prints the address to open",
    )
    default = next(iter(GUI_DEMOS))
    gui.add_argument(
        "name", nargs="?", default=default, choices=tuple(GUI_DEMOS),
        help=f"which demo (default: {default})",
    )
    gui.add_argument(
        "--port", type=positive_int, default=None,
        help=f"port on localhost (default: {DEFAULT_PORT}, or the next free one)",
    )
    gui.add_argument(
        "--no-browser", dest="browser", action="store_false",
        help="do not open a browser; just print the address",
    )
    gui.add_argument(
        "--backend", default=None,
        help=f"one of {', '.join(BACKENDS)} (default: $NENGO_LMU_BACKEND or nengo)",
    )
    gui.set_defaults(func=cmd_gui)
