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

-- Formulas in text form (math_as_text, plain_text), and those that have none (as_tex).
local text_form = dofile(pandoc.path.join({ pandoc.path.directory(PANDOC_SCRIPT_FILE), 'text_form.lua' }))
local plain_text = text_form.plain_text

-- A formula in a heading is drawn where the heading stands, but a heading is text only in the
-- PDF's bookmarks and the EPUB's contents: each such formula goes into the body wrapped in a span
-- that carries its text form, which pubpipe.resolve.math makes the formula's name (aria-label).
local function name_heading_formulas(doc)
  return doc:walk({
    Header = function(header)
      return header:walk({
        Math = function(formula)
          return pandoc.Span({ formula }, { class = 'heading-formula', ['data-text'] = text_form.math_as_text(formula).text })
        end,
      })
    end,
  })
end

local function field(value)
  local inlines = as_inlines(value)
  if inlines == nil then return nil end
  return { html = html_of_inlines(inlines), text = plain_text(inlines) }
end

-- A metadata value that pandoc read as Markdown, as text with its formulas in Unicode; nil for
-- any other value.
local function parsed_text(value)
  if value ~= nil and pandoc.utils.type(value) == 'Inlines' then return plain_text(value) end
  return nil
end

-- A metadata value that may hold paragraphs (an abstract): rendered as blocks.
local function blocks_field(value)
  if value == nil then return nil end
  local t = pandoc.utils.type(value)
  local blocks
  if t == 'Blocks' then blocks = value
  elseif t == 'Inlines' then blocks = pandoc.Blocks({ pandoc.Para(value) })
  else blocks = pandoc.Blocks({ pandoc.Para(pandoc.Inlines(pandoc.utils.stringify(value))) }) end
  -- The text, a paragraph at a time: stringify runs blocks together ("…season.A sandbar…").
  local paragraphs = pandoc.List()
  for _, block in ipairs(blocks) do
    local text = plain_text(pandoc.Blocks({ block }))
    if text ~= '' then paragraphs:insert(text) end
  end
  return {
    html = pandoc.write(pandoc.Pandoc(blocks), 'html5', WRITER_OPTIONS),
    text = table.concat(paragraphs, '\n\n'),
  }
end

-- Text that the load step took from the front matter (an author's name, an affiliation), read
-- as pandoc Markdown like every other metadata value.
local function markdown_field(text)
  local doc = pandoc.read(text, 'markdown')
  return field(pandoc.utils.blocks_to_inlines(doc.blocks))
end

local function markdown_fields(texts)
  local out = {}
  for _, text in ipairs(texts or {}) do table.insert(out, markdown_field(text)) end
  return out
end

-- The record "Cite this article" cites, with an id: the original publication (`original.record`,
-- A title that is one quotation from end to end (« Les marées », “Tides”) as pandoc's Quoted:
-- a style that puts a title in quotation marks then nests them as the language does
-- (« “Les marées” »), where the marks written in the text would have been doubled (« « … » »).
local QUOTE_PAIRS = { ['«'] = '»', ['“'] = '”', ['„'] = '“', ['‹'] = '›', ['「'] = '」' }
local SPACES = { ' ', '\u{00A0}', '\u{202F}' } -- French puts a (narrow) no-break space inside « »

local function trimmed(text, at_start)
  local changed = true
  while changed do
    changed = false
    for _, space in ipairs(SPACES) do
      if at_start and text:sub(1, #space) == space then text, changed = text:sub(#space + 1), true end
      if not at_start and #text >= #space and text:sub(-#space) == space then text, changed = text:sub(1, -#space - 1), true end
    end
  end
  return text
end

local function as_quoted(title)
  if pandoc.utils.type(title) ~= 'Inlines' or #title < 2 then return title end
  local first, last = title[1], title[#title]
  if first.t ~= 'Str' or last.t ~= 'Str' then return title end
  local opening, closing = nil, nil
  for open, close in pairs(QUOTE_PAIRS) do
    if first.text:sub(1, #open) == open and last.text:sub(-#close) == close then opening, closing = open, close end
  end
  if opening == nil then return title end
  local inner = title:clone()
  inner[1].text = trimmed(inner[1].text:sub(#opening + 1), true)
  inner[#inner].text = trimmed(inner[#inner].text:sub(1, -#closing - 1), false)
  inner = inner:filter(function(item) return item.t ~= 'Str' or item.text ~= '' end)
  while #inner > 0 and inner[1].t == 'Space' do inner:remove(1) end
  while #inner > 0 and inner[#inner].t == 'Space' do inner:remove(#inner) end
  return pandoc.Inlines({ pandoc.Quoted('DoubleQuote', inner) })
end

-- a CSL item), else the article itself (pubpipe.load.citation, passed as plain JSON, so its title
-- is replaced by pandoc's reading of the article's title).
local function cited_record(meta, own)
  local original = meta.original
  local record = nil
  if original ~= nil and original.record ~= nil then
    record = original.record
  elseif own ~= nil and own ~= pandoc.json.null then
    record = own
    record.title = meta.title
  end
  if record == nil then return nil end
  record.id = pandoc.utils.stringify(record.id or 'original-record')
  return record
end

-- Format the cited record with the document's CSL style, as a bibliography entry: {html, text},
-- the text with its formulas in Unicode for the metadata that holds only text (DC.source, the
-- EPUB's dc:source). pandoc.utils.citeproc runs the same citeproc that --citeproc ran on the body.
local function formatted_record(meta, record)
  if record == nil then return nil end
  local id = record.id
  local cite = pandoc.Cite({ pandoc.Str('@' .. id) }, { pandoc.Citation(id, 'NormalCitation') })
  local shown = {}
  for key, value in pairs(record) do shown[key] = value end
  shown.title = as_quoted(record.title)
  local doc = pandoc.Pandoc({}, {
    references = pandoc.List({ shown }),
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
        local inlines = pandoc.utils.blocks_to_inlines(div.content)
        entry = { html = html_of_inlines(inlines), text = plain_text(inlines) }
      end
    end,
  })
  return entry
end

-- The same record as files a reference manager imports ("Cite this article" downloads), written
-- by pandoc's own BibTeX and CSL-JSON writers.
local function record_exports(record)
  if record == nil then return nil end
  -- pandoc's BibTeX writer prints the key as it is: one holding '}' or ',' would end the entry.
  local item = {}
  for key, value in pairs(record) do item[key] = value end
  item.id = record.id:gsub('[^%w_:%.%-]', '')
  if item.id == '' then item.id = 'original' end
  local doc = pandoc.Pandoc({}, { references = pandoc.List({ item }) })
  return { bibtex = pandoc.write(doc, 'bibtex'), csljson = pandoc.write(doc, 'csljson') }
end

-- Citations whose form a style may garble, for pubpipe.resolve to report with their lines:
-- `@key [p. 4]` (the author in the text, the locator after it), which a note style turns into a
-- note without the author; and a locator that repeats the item's own volume ("2:214" for an
-- item of volume 2), which a style that prints the volume turns into "2:2:214".
-- A course pack's citations of its articles (packs/front.py passes them as `pubpipe-cite`), each
-- formatted and exported as an article's own record is, so "Cite this article" reads alike.
local function formatted_citations(meta)
  local out = {}
  for _, record in ipairs(meta['pubpipe-cite'] or {}) do
    record.id = pandoc.utils.stringify(record.id)
    local entry = formatted_record(meta, record)
    table.insert(out, { id = record.id, html = entry and entry.html, exports = record_exports(record) })
  end
  return out
end

local function citation_cases(doc)
  local volumes = {}
  for _, ref in ipairs(pandoc.utils.references(doc)) do
    if ref.volume ~= nil then volumes[ref.id] = pandoc.utils.stringify(ref.volume) end
  end
  local found = {}
  doc:walk({
    Cite = function(cite)
      for _, citation in ipairs(cite.citations) do
        local suffix = pandoc.utils.stringify(citation.suffix)
        if citation.mode == 'AuthorInText' and suffix:match('%S') then
          table.insert(found, { kind = 'author-in-text', key = citation.id, suffix = suffix })
        end
        local volume = suffix:match('^[,%s]*([%w]+)%s*:%s*%d')
        if volume ~= nil and volumes[citation.id] == volume then
          table.insert(found, { kind = 'volume', key = citation.id, suffix = suffix, volume = volume })
        end
      end
    end,
  })
  return found
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

-- Images that citeproc put into a reference or a citation: a BibTeX field's \includegraphics, a
-- CSL field's Markdown image. A reference list shows no pictures, and such an image would carry
-- no description; pubpipe.resolve.run refuses them with the entry's file and line.
local function bibliography_images(doc)
  local found = {}
  local function images_of(element, key)
    element:walk({
      Image = function(image) table.insert(found, { key = key, src = image.src }) end,
    })
  end
  doc:walk({
    Div = function(div)
      if div.classes:includes('csl-entry') then images_of(div, (div.identifier:gsub('^ref%-', ''))) end
    end,
    Cite = function(cite) images_of(pandoc.Span(cite.content), cite.citations[1].id) end,
  })
  return found
end

-- Headings may not skip a level (### straight after the title, ##### under a #): screen readers,
-- the Nu checker, axe and Ace all reject that, and the PDF's bookmarks would nest under nothing.
-- First every heading moves by the same amount, so that the shallowest becomes h2 (an article
-- whose sections are all `##` keeps them side by side); then each heading is lifted to one level
-- below the heading before it. Its words stay as written.
local function close_heading_gaps(doc)
  local shallowest = nil
  doc:walk({
    Header = function(header)
      if shallowest == nil or header.level < shallowest then shallowest = header.level end
    end,
  })
  local shift = (shallowest or 2) - 2 -- the article's title is the h1; --shift-heading-level-by has run
  local previous = 1
  return doc:walk({
    Header = function(header)
      header.level = header.level - shift
      if header.level > previous + 1 then header.level = previous + 1 end
      previous = header.level
      return header
    end,
  })
end

-- Ids that pandoc's HTML writer and the editions give their own elements (pubpipe.resolve.ids
-- passes the list as the variable `reserved-ids`; the notes' `fnN` and `fnrefN` are reserved by
-- their pattern). An author's element that has one of them (a heading called "Footnotes" gets
-- `footnotes`), or the id of citeproc's bibliography or of one of its entries, or an id used
-- earlier in the article, would give an edition the same id twice: it gets the first free `ID-N`
-- instead, and links to a renamed reserved id follow it.
local ID_CARRIERS = { 'Header', 'Div', 'Span', 'CodeBlock', 'Code', 'Link', 'Image', 'Table', 'Figure' }

local function free_reserved_ids(doc, opts)
  local reserved = {}
  for id in tostring(opts.variables['reserved-ids'] or ''):gmatch('[^,%s]+') do reserved[id] = true end
  local function is_reserved(id)
    return reserved[id] or id:match('^fn%d+$') ~= nil or id:match('^fnref%d+$') ~= nil
  end
  local function is_citeprocs(element)
    return element.t == 'Div' and (element.identifier == 'refs' or element.classes:includes('csl-entry'))
  end
  local all, taken = {}, {}
  local function collect(element)
    if element.identifier ~= '' then
      all[element.identifier] = true
      if is_citeprocs(element) then taken[element.identifier] = true end
    end
  end
  local collector = {}
  for _, name in ipairs(ID_CARRIERS) do collector[name] = collect end
  doc:walk(collector)
  local renamed = {}
  local function free_name(id)
    local n = 1
    while all[id .. '-' .. n] or taken[id .. '-' .. n] or is_reserved(id .. '-' .. n) do n = n + 1 end
    return id .. '-' .. n
  end
  local function rename(element)
    local id = element.identifier
    if id == '' or is_citeprocs(element) then return nil end
    if is_reserved(id) or taken[id] then
      local new = free_name(id)
      if is_reserved(id) and not renamed[id] then renamed[id] = new end
      element.identifier = new
      all[new], taken[new] = true, true
      return element
    end
    taken[id] = true
    return nil
  end
  local renamer = { traverse = 'topdown' }
  for _, name in ipairs(ID_CARRIERS) do renamer[name] = rename end
  doc = doc:walk(renamer)
  return doc:walk({
    Link = function(link)
      local target = link.target:match('^#(.+)$')
      if target and renamed[target] then
        link.target = '#' .. renamed[target]
        return link
      end
    end,
  })
end

-- A PDF figure: pandoc's HTML writer would make it an <embed> (a plug-in) and drop its alt text.
-- It is renamed NAME.pdf.png, which the writer keeps as an <img>, and listed for
-- pubpipe.resolve.pdf_figures, which renders the PDF's page to that PNG for every edition.
local function pdf_figures(doc)
  local found = {}
  doc = doc:walk({
    Image = function(image)
      local path = image.src:gsub('[?#].*$', '')
      if path:lower():match('%.pdf$') and not image.src:match('^%a[%w+.-]*:') then
        local rendered = path .. '.png'
        table.insert(found, { src = path, rendered = rendered })
        image.src = rendered
        return image
      end
    end,
  })
  return doc, found
end

-- Zettlr's and Obsidian's wiki links ([[Note]], [[Note|label]], read by pandoc's
-- wikilinks_title_after_pipe in read.lua, and Zettlr's [label]([[Note]])) name a note in the
-- writer's own vault, which no edition carries and no reader can open: the label (or the note's
-- name) stays as text, and the links are listed for pubpipe.resolve to report with their lines.
local function wiki_target(link)
  if link.classes:includes('wikilink') then return link.target end
  -- pandoc writes the brackets of [label]([[Note]]) percent-encoded
  return link.target:gsub('%%5[Bb]', '['):gsub('%%5[Dd]', ']'):gsub('%%20', ' '):match('^%[%[(.+)%]%]$')
end

local function wiki_links(doc)
  local found = {}
  doc = doc:walk({
    Link = function(link)
      local target = wiki_target(link)
      if target then
        table.insert(found, { target = target, label = pandoc.utils.stringify(link.content) })
        return link.content
      end
    end,
  })
  return doc, found
end

-- The front-matter fields that hold a note (^[…] or [^1]). A field is rendered on its own, in the
-- title block and wherever else it is repeated (the page's title, the Cite box, the metadata),
-- so its note would be numbered 1 beside the body's note 1, with the same ids; pubpipe refuses it.
local function has_note(blocks)
  local found = false
  blocks:walk({ Note = function() found = true end })
  return found
end

local function value_has_note(value)
  if value == nil then return false end
  local t = pandoc.utils.type(value)
  if t == 'Inlines' then return has_note(pandoc.Blocks({ pandoc.Plain(value) })) end
  if t == 'Blocks' then return has_note(value) end
  if t == 'List' or t == 'table' then
    for _, item in ipairs(value) do
      if value_has_note(item) then return true end
    end
  end
  return false
end

local function fields_with_notes(meta, front)
  local found = pandoc.List()
  for _, key in ipairs({ 'title', 'subtitle', 'date', 'abstract', 'description' }) do
    if value_has_note(meta[key]) then found:insert(key) end
  end
  local texts = { author = front.authors, affiliations = front.affiliations, keywords = front.keywords,
                  rights = { front.rights } }
  for _, key in ipairs({ 'author', 'affiliations', 'keywords', 'rights' }) do
    for _, text in ipairs(texts[key] or {}) do
      if type(text) == 'string' and has_note(pandoc.read(text, 'markdown').blocks) then
        found:insert(key)
        break
      end
    end
  end
  return found
end

function Writer(doc, opts)
  WRITER_OPTIONS = opts
  doc = close_heading_gaps(doc)
  doc = free_reserved_ids(doc, opts)
  doc = name_heading_formulas(doc)
  local figures, wikis
  doc, figures = pdf_figures(doc)
  doc, wikis = wiki_links(doc)
  local meta = doc.meta
  -- What the load step read from the front matter's many forms (pubpipe.resolve.run passes it).
  local front = pandoc.json.decode(pandoc.utils.stringify(meta['pubpipe-front'] or '{}'))
  local original = meta.original ~= nil and meta.original.record ~= nil
  local record = cited_record(meta, front.own_record)
  local noted = fields_with_notes(meta, front)
  if #noted > 0 then return pandoc.json.encode({ metadata_notes = noted }) end
  local out = {
    body = pandoc.write(doc, 'html5', opts),
    title = field(meta.title),
    subtitle = field(meta.subtitle),
    authors = markdown_fields(front.authors),
    affiliations = markdown_fields(front.affiliations),
    abstract = blocks_field(meta.abstract),
    date = front.date_shown and field(meta.date) or nil,
    lang = field(meta.lang),
    rights = type(front.rights) == 'string' and markdown_field(front.rights) or nil,
    description = field(meta.description),
    keywords = markdown_fields(front.keywords),
    original_entry = original and formatted_record(meta, record) or nil,
    own_entry = (not original) and formatted_record(meta, record) or nil,
    original_exports = record_exports(record),
    -- The cited record's titles as text, their formulas in Unicode, for the meta tags: those that
    -- pandoc read as Markdown (the article's own record is plain JSON, but for its title).
    record_titles = record and {
      title = parsed_text(record.title),
      ['container-title'] = parsed_text(record['container-title']),
    } or nil,
    cite_entries = formatted_citations(meta),
    pandoc_version = tostring(PANDOC_VERSION),
    dropped_raw = dropped_raw(doc),
    bibliography_images = bibliography_images(doc),
    citation_cases = citation_cases(doc),
    -- keys of metadata blocks found outside the front matter (read.lua), never obeyed
    hidden_metadata = pandoc.List(meta['pubpipe-hidden-metadata'] or {}):map(pandoc.utils.stringify),
    -- What math.lua and crossref.lua found (pubpipe.resolve.math, pubpipe.resolve.crossref).
    math = meta['pubpipe-math'] and pandoc.utils.stringify(meta['pubpipe-math']),
    crossref = meta['pubpipe-crossref'] and pandoc.utils.stringify(meta['pubpipe-crossref']),
    -- Quarto's conditional content as conditional.lua judged it (pubpipe.resolve.conditional).
    conditional = meta['pubpipe-conditional'] and pandoc.utils.stringify(meta['pubpipe-conditional']),
    text_as_tex = text_form.as_tex,
    pdf_figures = figures,
    wiki_links = wikis,
  }
  return pandoc.json.encode(out)
end
