-- The resolve step's reader: pandoc's own Markdown reader, run on the front matter and on the
-- body separately, so that the metadata pandoc obeys is the front matter's and nothing else.
--
-- pandoc obeys every YAML metadata block in a document, wherever it stands: in the body, in a
-- block quote, in a list item. The load step validated the front matter at the top only, so a
-- block elsewhere could name a bibliography or a style that nobody checked. Here the body is
-- read on its own, and whatever metadata pandoc finds in it is reported, never used.
--
-- The keys that make citeproc read a file or fetch a URL are taken out of what pandoc read; the
-- resolve step sets them again on the command line from the values the load step validated.
--
-- Input (stdin): a JSON object {"front": the front matter block with its '---' lines,
--                               "body": the rest, its lines where they are in article.md}.

local READ_OR_FETCH = { 'bibliography', 'csl', 'citation-style', 'citation-abbreviations' }
-- The body is pandoc's Markdown with two forms of Zettlr and Obsidian that pandoc reads when asked:
-- ==highlighted== text (a <mark>) and [[wiki links]] (which resolve.lua turns into their label).
local BODY_FORMAT = 'markdown+mark+wikilinks_title_after_pipe'
-- The writer (resolve.lua) reports this key's list, so that pubpipe can name the hidden keys.
local HIDDEN = 'pubpipe-hidden-metadata'

function Reader(input, opts)
  local parts = pandoc.json.decode(tostring(input), false)
  local meta = pandoc.read(parts.front, 'markdown', opts).meta
  local doc = pandoc.read(parts.body, BODY_FORMAT, opts)
  local hidden = pandoc.List()
  for key, _ in pairs(doc.meta) do hidden:insert(key) end
  table.sort(hidden)
  for _, key in ipairs(READ_OR_FETCH) do meta[key] = nil end
  meta[HIDDEN] = hidden:map(function(key) return pandoc.MetaString(key) end)
  doc.meta = meta
  return doc
end
