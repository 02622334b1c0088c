"""pubpipe: one article source, three editions that agree with each other.

The package is split by stage (load, resolve, render, check) so that each command imports only
what it needs: importing WeasyPrint alone costs most of a second.
"""

__version__ = "0.1.0"
