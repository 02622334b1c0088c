"""The resolve step: pandoc, run once per article with citeproc (see run.py)."""

from pubpipe.resolve.document import Field, ResolvedDocument
from pubpipe.resolve.run import resolve

__all__ = ["Field", "ResolvedDocument", "resolve"]
