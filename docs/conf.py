"""Sphinx configuration of the nengo-lmu documentation."""

import argparse
import pathlib
import sys

import matplotlib
from docutils import nodes
from docutils.parsers.rst import Directive

import nengo_lmu

matplotlib.use("Agg")
# the example pages run the example scripts' main() in fast mode
sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "examples"))

project = "nengo-lmu"
copyright = nengo_lmu.__copyright__  # pylint: disable=redefined-builtin
release = nengo_lmu.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
]
numpydoc_show_class_members = False
default_role = "py:obj"
# no intersphinx: the build must work offline
exclude_patterns = ["_build"]
html_theme = "alabaster"

# figures are computed by the library when the docs are built
plot_formats = [("png", 90)]
plot_html_show_formats = False
plot_html_show_source_link = False
plot_rcparams = {"figure.dpi": 90}


class CommandLineHelp(Directive):
    """Every ``nengo-lmu`` command's ``--help``, taken from the parser itself."""

    def run(self):
        from nengo_lmu.cli import build_parser

        sections = []
        stack = [(["nengo-lmu"], build_parser())]
        while stack:
            words, parser = stack.pop(0)
            parser.prog = " ".join(words)
            section = nodes.section(ids=[nodes.make_id(parser.prog)])
            section += nodes.title(text=parser.prog)
            section += nodes.literal_block(text=parser.format_help())
            sections.append(section)
            for action in parser._actions:
                if isinstance(action, argparse._SubParsersAction):
                    for name, sub in action.choices.items():
                        stack.append((words + [name], sub))
        return sections


def setup(app):
    app.add_directive("nengo-lmu-help", CommandLineHelp)
