"""less-tui: the monthly FMT meeting of a LESS clinic, in the terminal."""

__version__ = "0.1.0"
