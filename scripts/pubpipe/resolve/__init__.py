"""The resolve step: pandoc, run once per article with citeproc (see run.py)."""

from pubpipe.resolve.document import CiteAs, Field, ResolvedDocument
from pubpipe.resolve.run import resolve

__all__ = ["CiteAs", "Field", "ResolvedDocument", "resolve"]
