"""The one YAML loader for everything a user writes (front matter, CSL-YAML, pack files).

PyYAML's safe loader, refusing aliases (`*name`, and so `<<: *name` merges): an alias repeats a
node without copying it, so a few lines of anchors name billions of values ("billion laughs"),
and an alias to its own ancestor makes a value that contains itself. Every reader of the tree
(ours, and pandoc's own second reading of the front matter) would then run out of memory or
recurse without end. Real articles write their values out; the refusal names the line.
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError


class SafeLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(None, None, f"the alias *{event.anchor} is not read here (YAML aliases repeat "
                                "values without limit): write the value out where it is used", event.start_mark)
        return super().compose_node(parent, index)
