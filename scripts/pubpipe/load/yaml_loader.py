"""The one YAML loader for everything a user writes (front matter, CSL-YAML, pack files).

PyYAML's safe loader, refusing aliases (`*name`, and so `<<: *name` merges): an alias repeats a
node without copying it, so a few lines of anchors name billions of values ("billion laughs"),
and an alias to its own ancestor makes a value that contains itself. Every reader of the tree
(ours, and pandoc's own second reading of the front matter) would then run out of memory or
recurse without end. Real articles write their values out; the refusal names the line.

The text is scanned and parsed by libyaml, the C parser PyYAML's wheels carry (as PyYAML's own
CSafeLoader does), and composed into nodes by PyYAML's Python composer, which is where aliases are
refused and which keeps every node's line. Reading the front matter of a hundred articles in pure
Python took about two seconds of a course pack's rebuild; this way it takes a fifth of that.
"""

from __future__ import annotations

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

if yaml.__with_libyaml__:
    from yaml._yaml import CParser


class _PythonParser(Reader, Scanner, Parser):
    """PyYAML's own parser, in Python: the same events as libyaml's, five times slower."""

    def __init__(self, stream):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


def _loader(parser: type) -> type:
    class Loader(Composer, parser, SafeConstructor, Resolver):
        """Composer first, so that its compose_node (and this one) is used, not libyaml's own."""

        def __init__(self, stream):
            parser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise ComposerError(None, None, f"the alias *{event.anchor} is not read here (YAML aliases repeat "
                                    "values without limit): write the value out where it is used", event.start_mark)
            return super().compose_node(parent, index)

    return Loader


# A PyYAML built without libyaml reads the same events in Python; the tests compare the two.
PythonSafeLoader = _loader(_PythonParser)
SafeLoader = _loader(CParser) if yaml.__with_libyaml__ else PythonSafeLoader
