-- The resolve step's custom writer: pandoc has already run citeproc on the document (--citeproc);
-- this writer renders the body and every metadata field the editions need to HTML once, and
-- formats the original publication record through the same CSL style, so that all three
-- editions take their citations and bibliography from this one run.
-- The output is one JSON object; pubpipe.resolve documents its fields.

local WRITER_OPTIONS = nil -- set by Writer: the command line's options (--wrap=none and so on)

local function html_of_inlines(inlines)
  if inlines == nil then return nil end
  return pandoc.write(pandoc.Pandoc({ pandoc.Plain(inlines) }), 'html5', WRITER_OPTIONS)
end

local function as_inlines(value)
  if value == nil then return nil end
  local t = pandoc.utils.type(value)
  if t == 'Inlines' then return value end
  if t == 'Blocks' then return pandoc.utils.blocks_to_inlines(value) end
  if t == 'string' or t == 'boolean' or t == 'number' then return pandoc.Inlines(tostring(value)) end
  return pandoc.Inlines(pandoc.utils.stringify(value))
end

local function field(value)
  local inlines = as_inlines(value)
  if inlines == nil then return nil end
  return { html = html_of_inlines(inlines), text = pandoc.utils.stringify(inlines) }
end

local function list_of(value)
  if value == nil then return {} end
  if pandoc.utils.type(value) ~= 'List' then value = { value } end
  local out = {}
  for _, item in ipairs(value) do
    if pandoc.utils.type(item) == 'table' or (type(item) == 'table' and item.name ~= nil) then
      item = item.name
    end
    table.insert(out, field(item))
  end
  return out
end

-- The article's own publication record (`original.record`, a CSL item), with an id.
local function original_record(meta)
  local original = meta.original
  if original == nil or original.record == nil then return nil end
  local record = original.record
  record.id = pandoc.utils.stringify(record.id or 'original-record')
  return record
end

-- Format the article's own publication record with the document's CSL style, as a bibliography
-- entry. pandoc.utils.citeproc runs the same citeproc that --citeproc ran on the body.
local function formatted_record(meta)
  local record = original_record(meta)
  if record == nil then return nil end
  local id = record.id
  local cite = pandoc.Cite({ pandoc.Str('@' .. id) }, { pandoc.Citation(id, 'NormalCitation') })
  local doc = pandoc.Pandoc({}, {
    references = pandoc.List({ record }),
    nocite = pandoc.Inlines({ cite }),
    csl = meta.csl,
    lang = meta.lang,
  })
  doc = pandoc.utils.citeproc(doc)
  -- citeproc has honoured [..]{.nocase}; the span itself means nothing to a reader. A numeric
  -- style (ieee) splits an entry into a label ("[1]") and the text: the label numbers the
  -- bibliography, which this record is not part of, and the text must stay inline.
  doc = doc:walk({
    Span = function(span)
      if span.classes:includes('csl-left-margin') then return {} end
      if span.classes:includes('nocase') or span.classes:includes('csl-right-inline') then
        return span.content -- (pandoc's HTML writer would make a right-inline span a <div>)
      end
    end,
  })
  local entry = nil
  doc:walk({
    Div = function(div)
      if div.classes:includes('csl-entry') then
        -- An entry is one paragraph; render it as inline HTML so an edition can place it in a
        -- sentence ("Originally published in …").
        entry = html_of_inlines(pandoc.utils.blocks_to_inlines(div.content))
      end
    end,
  })
  return entry
end

-- The same record as files a reference manager imports ("Cite this article" downloads), written
-- by pandoc's own BibTeX and CSL-JSON writers.
local function record_exports(meta)
  local record = original_record(meta)
  if record == nil then return nil end
  -- pandoc's BibTeX writer prints the key as it is: one holding '}' or ',' would end the entry.
  local item = {}
  for key, value in pairs(record) do item[key] = value end
  item.id = record.id:gsub('[^%w_:%.%-]', '')
  if item.id == '' then item.id = 'original' end
  local doc = pandoc.Pandoc({}, { references = pandoc.List({ item }) })
  return { bibtex = pandoc.write(doc, 'bibtex'), csljson = pandoc.write(doc, 'csljson') }
end

-- Raw content for formats other than HTML (`{=latex}`, `\newpage`): the HTML writer drops it
-- silently, so it is listed for pubpipe.resolve to report with its line.
local function dropped_raw(doc)
  local found = {}
  local function note(raw)
    if raw.format ~= 'html' and raw.format ~= 'html5' then
      table.insert(found, { format = raw.format, text = raw.text })
    end
  end
  doc:walk({ RawInline = note, RawBlock = note })
  return found
end

-- Headings may not skip a level (### straight after the title, ##### under a #): screen readers,
-- the Nu checker, axe and Ace all reject that, and the PDF's bookmarks would nest under nothing.
-- Each heading is lifted to one level below the heading before it; its words stay as written.
local function close_heading_gaps(doc)
  local previous = 1 -- the article's title is the h1; --shift-heading-level-by has run already
  return doc:walk({
    Header = function(header)
      if header.level > previous + 1 then header.level = previous + 1 end
      previous = header.level
      return header
    end,
  })
end

function Writer(doc, opts)
  WRITER_OPTIONS = opts
  doc = close_heading_gaps(doc)
  local meta = doc.meta
  local out = {
    body = pandoc.write(doc, 'html5', opts),
    title = field(meta.title),
    subtitle = field(meta.subtitle),
    authors = list_of(meta.author),
    date = field(meta.date),
    lang = field(meta.lang),
    rights = field(meta.rights),
    description = field(meta.description),
    keywords = list_of(meta.keywords),
    original_entry = formatted_record(meta),
    original_exports = record_exports(meta),
    pandoc_version = tostring(PANDOC_VERSION),
    dropped_raw = dropped_raw(doc),
  }
  return pandoc.json.encode(out)
end
