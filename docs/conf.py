"""Sphinx configuration of the nengo-lmu documentation."""

import nengo_lmu

project = "nengo-lmu"
copyright = nengo_lmu.__copyright__  # pylint: disable=redefined-builtin
release = nengo_lmu.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
]
numpydoc_show_class_members = False
default_role = "py:obj"
# no intersphinx: the build must work offline
exclude_patterns = ["_build"]
html_theme = "alabaster"
