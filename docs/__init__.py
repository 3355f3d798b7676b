"""The documentation of fp4ref, shipped as package data (fp4ref.paths.data("docs")): the
command line cites these files in its messages."""
