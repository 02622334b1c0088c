-- Cross-references, numbered once: the resolve step's filter, run before citeproc so that a
-- reference such as @fig:map never reaches citeproc as a citation key.
--
-- Targets, in document order:
--   figures   ![…](…){#fig:x} or {#fig-x}, and Quarto's ::: {#fig-x} … ::: with its caption last;
--   tables    a table whose caption ends in {#tbl:x} or {#tbl-x} (or ::: {#tbl-x} around it);
--             a figure or table caption holding \label{x} (JOSS's form), under the name x;
--   equations display math followed by {#eq:x} or {#eq-x}, or holding \label{x} (math.lua has
--             made raw TeX environments such as \begin{equation} display math already);
--   listings  a code block labelled {#lst:x} or {#lst-x}, its caption from its `caption` attribute
--             (pandoc-crossref) or `lst-cap` (Quarto), or, with `codeBlockCaptions: true`, from a
--             paragraph "Listing: …" or ": …" just before it (pandoc-crossref); or a div
--             ::: {#lst:x} / {#lst-x} holding a code block and a caption paragraph (before it:
--             pandoc-crossref's wrapping div; after it: Quarto's). A listing becomes a figure of
--             class `listing`, so every edition shows and reads it as it does a figure;
--   sections  any heading, by its identifier.
-- Figures, tables, equations and listings are numbered 1, 2, 3 … when labelled; a caption starts with
-- "Figure 1: ", an equation gets "(1)" beside it. A section stands for itself by its title,
-- since headings carry no numbers.
-- References: @fig:x, [@fig:x; @fig:y], [-@fig:x] (the number alone), @fig-x (Quarto), and
-- \ref{x}, \eqref{x}, \autoref{x}, \cref{x}, each a link to its target.
--
-- Input: the environment variable PUBPIPE_CROSSREF, a JSON object from pubpipe.resolve.crossref:
--   names         the words in the article's language (pubpipe.labels.ReferenceNames)
--   native        false when those are English standing in (then marked lang="en")
--   captions      {figure, table, listing}: a caption's first word, {text, own}
--   prefixes      {kind}: a reference's word, {forms, own}: forms[n] for n references together,
--                 the last form for more (pandoc-crossref's figPrefix: [fig., figs.])
--   capital_prefixes {kind}: {forms, own} for a reference written capitalised (@Fig:x, \Cref)
--   caption_separator {text, own}: between "Figure 1" and the caption's words
--                 (`own`: the author's words, set in the front matter and read as Markdown;
--                 else the language's, in `names`)
--   citation_keys bibliography keys that look like labels (fig-2019): they stay citations
-- Output: the metadata field `pubpipe-crossref`, a JSON string that the writer passes on:
--   targets  [{id, kind, number}]       problems [{problem, label, written}]
--   notices  [{label, typed}]: captions that start with a number typed by hand ("Figure 1: …")

local config = pandoc.json.decode(os.getenv('PUBPIPE_CROSSREF') or '{}')
local NAMES = config.names or {}
local NATIVE = config.native ~= false
local NBSP = '\u{00A0}'

local CAPTIONS = config.captions or {}
local PREFIXES = config.prefixes or {}
local CAPITAL_PREFIXES = config.capital_prefixes or {}
local CAPTION_SEPARATOR = config.caption_separator or { text = ': ' }

local CITATION_KEYS = {}
for _, key in ipairs(config.citation_keys or {}) do CITATION_KEYS[key] = true end

local KIND_OF_PREFIX = { fig = 'figure', tbl = 'table', eq = 'equation', sec = 'section', lst = 'listing' }
local targets = {}   -- id -> {kind, number, title}
local ordered = {}   -- the numbered targets, in document order
local sections = {}  -- heading id -> its title as text, its formulas in Unicode
-- (a formula with no Unicode form is reported by lua/resolve.lua, which reads every heading's)
local text_form = dofile(pandoc.path.join({ pandoc.path.directory(PANDOC_SCRIPT_FILE), 'text_form.lua' }))
local problems = {}
local notices = {}   -- labelled captions that start with a number typed by hand
local counters = { figure = 0, table = 0, equation = 0, listing = 0 }

local function problem(kind, label, written)
  table.insert(problems, { problem = kind, label = label, written = written })
end

-- "fig:x", "fig-x" and pandoc-crossref's capitalised "Fig:x" name a figure.
local function kind_of(id)
  local prefix = id:match('^(%a+)[:%-]')
  return prefix and KIND_OF_PREFIX[prefix:lower()]
end

-- A word as inlines: the author's read as Markdown (pandoc-crossref reads its settings so) when it
-- is one paragraph, else as written (a delimiter "-" would be read as a list); the language's as
-- it is, marked lang="en" when English stands in for the article's language.
local function word(text, own)
  if own then
    local blocks = pandoc.read(text, 'markdown').blocks
    if #blocks == 1 and blocks[1].t == 'Para' then return blocks[1].content end
    return pandoc.Inlines(text)
  end
  if NATIVE then return pandoc.Inlines({ pandoc.Str(text) }) end
  return pandoc.Inlines({ pandoc.Span({ pandoc.Str(text) }, { lang = 'en' }) })
end

-- The same inlines with their first letter capitalised: a reference written @Fig:x, as in
-- pandoc-crossref.
local function capitalised(inlines)
  local done = false
  return inlines:walk({
    Str = function(str)
      if done then return nil end
      done = true
      return pandoc.Str(pandoc.text.upper(pandoc.text.sub(str.text, 1, 1)) .. pandoc.text.sub(str.text, 2))
    end,
  })
end

-- What stands before a number: a word (as inlines) and a no-break space, or nothing for an empty word.
local function before_number(inlines)
  if #inlines == 0 then return pandoc.Inlines({}) end
  inlines:insert(pandoc.Str(NBSP))
  return inlines
end

-- The word of a reference to `count` targets of a kind together, capitalised when written so.
local function prefix(kind, count, capital)
  local entry = capital and CAPITAL_PREFIXES[kind] or PREFIXES[kind]
  local forms = entry.forms
  local inlines = word(forms[math.min(count, #forms)], entry.own)
  if capital and not CAPITAL_PREFIXES[kind] then inlines = capitalised(inlines) end
  return inlines
end

local function number_text(target)
  if target.kind == 'equation' then return '(' .. target.number .. ')' end
  return tostring(target.number)
end

local function declare(id, kind, title)
  if targets[id] then
    problem('duplicate', id)
    return nil
  end
  local target = { kind = kind, title = title }
  if kind ~= 'section' then
    counters[kind] = counters[kind] + 1
    target.number = counters[kind]
  end
  targets[id] = target
  table.insert(ordered, { id = id, kind = kind, number = target.number })
  return target
end

-- A figure inside a labelled figure (Quarto's and pandoc-crossref's subfigures): the letter of its
-- place after its figure's number ("1a"), which references read ("Figure 1a"), and its caption
-- begins "(a)"; it is not counted among the figures.
local function declare_subfigure(id, parent, index)
  if targets[id] then
    problem('duplicate', id)
    return nil
  end
  local letter = index <= 26 and string.char(96 + index) or tostring(index)
  local target = { kind = 'figure', number = tostring(parent.number) .. letter, letter = letter }
  targets[id] = target
  table.insert(ordered, { id = id, kind = 'figure', number = target.number })
  return target
end

local function subfigure_caption(target, caption)
  local mark = pandoc.Inlines({ pandoc.Span({ pandoc.Str('(' .. target.letter .. ')') }, { class = 'caption-label' }) })
  if #caption.long == 0 then
    caption.long = pandoc.Blocks({ pandoc.Plain(mark) })
  else
    mark:insert(pandoc.Space())
    mark:extend(caption.long[1].content)
    caption.long[1].content = mark
  end
  return caption
end

-- "Figure 1" before a caption's own words, with the separator between them.
local function caption_label(kind, target, caption, id)
  local typed = pandoc.utils.stringify(caption.long)
  local title = word(CAPTIONS[kind].text, CAPTIONS[kind].own)
  local shown = pandoc.utils.stringify(title)
  if #shown > 0 and typed:sub(1, #shown) == shown and typed:sub(#shown + 1):match('^%s*%d') then
    table.insert(notices, { label = id, typed = typed:sub(1, #shown + 4) })
  end
  local label = before_number(title)
  label:insert(pandoc.Str(number_text(target)))
  local blocks = caption.long
  if #blocks == 0 then
    caption.long = pandoc.Blocks({ pandoc.Plain(pandoc.Inlines({ pandoc.Span(label, { class = 'caption-label' }) })) })
    return caption
  end
  local inlines = pandoc.Inlines({ pandoc.Span(label, { class = 'caption-label' }) })
  if CAPTION_SEPARATOR.own then
    inlines:extend(word(CAPTION_SEPARATOR.text, true))
  else
    inlines:insert(pandoc.Str((CAPTION_SEPARATOR.text:gsub('%s+$', ''))))
  end
  inlines:insert(pandoc.Space())
  inlines:extend(blocks[1].content)
  blocks[1].content = inlines
  caption.long = blocks
  return caption
end

-- A display formula's TeX with its \label taken out: (tex, label or nil, count of labels).
local function take_labels(tex)
  local labels = {}
  local stripped = tex:gsub('\\label%s*(%b{})', function(braced)
    table.insert(labels, braced:sub(2, -2))
    return ''
  end)
  return stripped, labels[1], #labels
end

local function equation(math, label, count, written)
  if count > 1 then
    problem('several-labels', label, written)
  end
  local math_inline = pandoc.Math('DisplayMath', math)
  if not label then return math_inline end
  local target = declare(label, 'equation')
  if not target then return math_inline end
  return pandoc.Span({ math_inline, pandoc.Span({ pandoc.Str(number_text(target)) }, { class = 'equation-number' }) },
                     { id = label, class = 'equation' })
end

-- {#eq:x} right after a display formula (pandoc-crossref's and Quarto's way to label it).
local function attribute_label(inlines, index)
  local next_index = index + 1
  if inlines[next_index] and inlines[next_index].t == 'Space' then next_index = next_index + 1 end
  local token = inlines[next_index]
  if not token or token.t ~= 'Str' then return nil end
  local id, rest = token.text:match('^{#([^%s}]+)}(.*)$')
  if not id or kind_of(id) ~= 'equation' then return nil end
  return id, next_index, rest
end

local function number_equations(inlines)
  local out = pandoc.Inlines({})
  local index = 1
  while index <= #inlines do
    local inline = inlines[index]
    if inline.t == 'Math' and inline.mathtype == 'DisplayMath' then
      local tex, label, count = take_labels(inline.text)
      local id, last, rest = attribute_label(inlines, index)
      if id then
        if label then count = count + 1 end
        label = label or id
        index = last
      end
      out:insert(equation(tex, label, count, '{#' .. (label or '') .. '}'))
      if rest and rest ~= '' then out:insert(pandoc.Str(rest)) end
    else
      out:insert(inline)
    end
    index = index + 1
  end
  return out
end

-- A \label{x} written inside a caption labels the figure or table it captions: JOSS's template
-- writes ![Caption.\label{fig:x}](f.png) and refers to it with \autoref{fig:x}. The label is taken
-- out of the caption (raw TeX shows in no edition) and becomes the element's identifier, unless
-- it has one of its own. Returns whether a label was taken.
local function caption_tex_label(element)
  if element.identifier ~= '' then return false end
  local found = nil
  local function take(raw)
    if (raw.format == 'tex' or raw.format == 'latex') then
      local label = raw.text:match('^\\label%s*{([^}]+)}$')
      if label and (found == nil or label == found) then
        found = label
        return pandoc.Inlines({})
      end
    end
  end
  local caption = element.caption
  caption.long = caption.long:walk({ RawInline = take })
  if not found then return false end
  element.caption = caption
  element.identifier = found
  -- pandoc copies a figure's caption into its image's description (the alt text): the label too.
  if element.t == 'Figure' then element.content = element.content:walk({ RawInline = take }) end
  return true
end

-- A labelled figure or table: numbered, its caption headed "Figure 1: " (pandoc's Figure and
-- Table elements both have an identifier and a caption).
local function numbered(kind)
  return function(element)
    if caption_tex_label(element) or kind_of(element.identifier) == kind then
      local target = declare(element.identifier, kind)
      if target then element.caption = caption_label(kind, target, element.caption, element.identifier) end
      return element
    end
  end
end
local number_figure, number_table = numbered('figure'), numbered('table')

-- A labelled code block as a numbered listing: a figure of class `listing` that holds the code
-- block (its label moved to the figure) and the caption, headed "Listing 1: ".
local CAPTION_ATTRIBUTES = { 'caption', 'lst-cap' }

local function listing(code, id, caption)
  code.identifier = ''
  for _, name in ipairs(CAPTION_ATTRIBUTES) do
    if not caption and code.attributes[name] then
      caption = pandoc.utils.blocks_to_inlines(pandoc.read(code.attributes[name], 'markdown').blocks)
    end
    code.attributes[name] = nil
  end
  local figure = pandoc.Figure({ code }, { long = caption and { pandoc.Plain(caption) } or {} }, { id = id, class = 'listing' })
  local target = declare(id, 'listing')
  if target then figure.caption = caption_label('listing', target, figure.caption, id) end
  return figure
end

local function is_listing_code(block)
  return block and block.t == 'CodeBlock' and kind_of(block.identifier) == 'listing'
end

-- pandoc-crossref's caption paragraph ("Listing: Caption" or ": Caption"), read only when the
-- article asks for it with `codeBlockCaptions: true`: the paragraph's words without the marker,
-- or nil when the block is no such paragraph.
local CODE_BLOCK_CAPTIONS = false

local function caption_paragraph(block)
  if not CODE_BLOCK_CAPTIONS or not block or block.t ~= 'Para' or #block.content == 0 then return nil end
  local first = block.content[1]
  if first.t ~= 'Str' or not (first.text == ':' or first.text == 'Listing:') then return nil end
  local rest = pandoc.Inlines({ table.unpack(block.content, 2) })
  while rest[1] and rest[1].t == 'Space' do rest:remove(1) end
  return rest
end

-- A div labelled as a listing around one code block and one paragraph, its caption: the
-- paragraph first in pandoc-crossref's wrapping div, last in Quarto's.
local function listing_div(div)
  local blocks = div.content
  if #blocks ~= 2 then return nil end
  local code, caption
  if blocks[1].t == 'CodeBlock' and blocks[2].t == 'Para' then code, caption = blocks[1], blocks[2]
  elseif blocks[2].t == 'CodeBlock' and blocks[1].t == 'Para' then code, caption = blocks[2], blocks[1]
  else return nil end
  return listing(code, div.identifier, caption.content)
end

-- Listings are numbered where their list of blocks is walked (before the blocks themselves, in
-- a topdown walk), a listing div too, so that the numbers follow the document's order.
local function number_listings(blocks)
  local out = pandoc.Blocks({})
  local index = 1
  while index <= #blocks do
    local block = blocks[index]
    local caption = is_listing_code(blocks[index + 1]) and caption_paragraph(block)
    if caption then
      out:insert(listing(blocks[index + 1], blocks[index + 1].identifier, caption))
      index = index + 1
    elseif is_listing_code(block) then
      out:insert(listing(block, block.identifier, nil))
    elseif block.t == 'Div' and kind_of(block.identifier) == 'listing' then
      out:insert(listing_div(block) or block)
    else
      out:insert(block)
    end
    index = index + 1
  end
  return out
end

-- Quarto's figure div (::: {#fig-x} content, then the caption paragraph :::) as a pandoc Figure,
-- and its table div as the table it holds, labelled. (A topdown walk does not call the Figure
-- and Table functions on what a Div function returns, so they are called here.)
local function quarto_div(div)
  local kind = kind_of(div.identifier)
  if kind == 'figure' and #div.content > 1 and div.content[#div.content].t == 'Para' then
    local caption = div.content[#div.content].content
    local content = pandoc.Blocks({ table.unpack(div.content, 1, #div.content - 1) }):map(function(block)
      return block.t == 'Para' and pandoc.Plain(block.content) or block -- as in pandoc's own figures
    end)
    local classes = div.classes
    local figure = number_figure(pandoc.Figure(content, { long = { pandoc.Plain(caption) } }, { id = div.identifier, class = table.concat(classes, ' ') }))
    local parent = targets[div.identifier]
    local subfigures = 0
    figure.content = figure.content:walk({
      Figure = function(inner)
        if parent and parent.number and kind_of(inner.identifier) == 'figure' then
          subfigures = subfigures + 1
          local target = declare_subfigure(inner.identifier, parent, subfigures)
          if target then inner.caption = subfigure_caption(target, inner.caption) end
          return inner
        end
      end,
    })
    -- Numbered here, with their figure: the walk must not number them again as figures of their own.
    return figure, subfigures == 0
  end
  if kind == 'table' then
    local tables = {}
    for _, block in ipairs(div.content) do if block.t == 'Table' then table.insert(tables, block) end end
    if #tables == 1 and tables[1].identifier == '' then
      tables[1].identifier = div.identifier
      number_table(tables[1])
      return div.content
    end
  end
  return nil
end

local define = {
  traverse = 'topdown',
  Div = quarto_div,
  Header = function(header)
    if header.identifier ~= '' then
      sections[header.identifier] = text_form.plain_text(header.content)
      if kind_of(header.identifier) == 'section' then
        declare(header.identifier, 'section', sections[header.identifier])
      end
    end
  end,
  Blocks = number_listings,
  Figure = number_figure,
  Table = number_table,
  Inlines = number_equations,
}

-- The target an id names: a numbered label, else a heading; "Fig:x" finds "fig:x".
local function lookup(id)
  local target = targets[id] or targets[id:sub(1, 1):lower() .. id:sub(2)]
  if target then return target end
  if sections[id] then return { kind = 'section', title = sections[id] } end
  return nil
end

-- What a reference reads: "Figure 1", or "1" alone (\ref, [-@fig:x]), or "(1)" (\eqref).
local function reference_text(target, form, capital)
  local number
  if target.kind == 'section' then
    number = (NAMES.quote_open or '“') .. target.title .. (NAMES.quote_close or '”')
  else
    number = number_text(target)
  end
  if form == 'bare' then return pandoc.Inlines({ pandoc.Str(number) }) end
  local inlines = before_number(prefix(target.kind, 1, capital))
  inlines:insert(pandoc.Str(number))
  return inlines
end

local function link(id, inlines)
  return pandoc.Link(inlines, '#' .. id, '', { class = 'crossref' })
end

-- Several references in one place: "Figures 1 and 2", "Figure 1, Table 2"; capitalised (a
-- pandoc-crossref form) as the first is written.
local function reference_list(items, form, capital)
  local out = pandoc.Inlines({})
  local index = 1
  while index <= #items do
    local kind = items[index].target.kind
    local last = index
    while items[last + 1] and items[last + 1].target.kind == kind do last = last + 1 end
    if #out > 0 then out:extend({ pandoc.Str(','), pandoc.Space() }) end
    if last == index or form == 'bare' then
      for i = index, last do
        if i > index then out:extend({ pandoc.Str(','), pandoc.Space() }) end
        out:insert(link(items[i].id, reference_text(items[i].target, form, capital and #out == 0)))
      end
    else
      out:extend(before_number(prefix(kind, last - index + 1, capital and #out == 0)))
      for i = index, last do
        if i == last then
          out:extend({ pandoc.Space(), pandoc.Str(NAMES.and_ or 'and'), pandoc.Space() })
        elseif i > index then
          out:extend({ pandoc.Str(','), pandoc.Space() })
        end
        out:insert(link(items[i].id, reference_text(items[i].target, 'bare')))
      end
    end
    index = last + 1
  end
  return out
end

local function is_crossref_key(id)
  return kind_of(id) ~= nil and not CITATION_KEYS[id]
end

local function cite(element)
  local references, citations = {}, {}
  local form = nil
  for _, citation in ipairs(element.citations) do
    if is_crossref_key(citation.id) then
      local target = lookup(citation.id)
      if not target then
        problem('unknown', citation.id, '@' .. citation.id)
      else
        table.insert(references, { id = targets[citation.id] and citation.id or citation.id:sub(1, 1):lower() .. citation.id:sub(2),
                                   target = target, prefix = citation.prefix, suffix = citation.suffix, written = citation.id })
        if citation.mode == 'SuppressAuthor' then form = 'bare' end
      end
    else
      table.insert(citations, citation)
    end
  end
  if #references == 0 and #citations == #element.citations then return nil end
  local out = pandoc.Inlines({})
  if #references > 0 then
    if #references[1].prefix > 0 then out:extend(references[1].prefix); out:insert(pandoc.Space()) end
    local first = references[1].written
    out:extend(reference_list(references, form, first:sub(1, 1):match('%u') ~= nil))
    out:extend(references[#references].suffix)
  end
  if #citations > 0 then
    element.citations = citations
    if #out > 0 then out:extend({ pandoc.Str(';'), pandoc.Space() }) end
    out:insert(element)
  end
  return out
end

local COMMANDS = { ref = 'bare', eqref = 'bare', autoref = 'full', cref = 'full', Cref = 'full' }

local function tex_reference(raw)
  if raw.format ~= 'tex' and raw.format ~= 'latex' then return nil end
  local command, ids = raw.text:match('^\\(%a+)%*?%s*{([^}]*)}$')
  if not command or not COMMANDS[command] then return nil end
  local items = {}
  for id in ids:gmatch('[^,%s]+') do
    local target = lookup(id)
    if not target then
      problem('unknown', id, '\\' .. command .. '{' .. id .. '}')
    else
      table.insert(items, { id = targets[id] and id or (sections[id] and id) or id:sub(1, 1):lower() .. id:sub(2), target = target })
    end
  end
  if #items == 0 then return pandoc.Inlines({}) end
  if command == 'eqref' then
    return reference_list(items, 'bare')
  end
  return reference_list(items, COMMANDS[command], command == 'Cref')
end

function Pandoc(doc)
  CODE_BLOCK_CAPTIONS = doc.meta.codeBlockCaptions == true
  doc = doc:walk(define)
  doc = doc:walk({ Cite = cite, RawInline = tex_reference })
  doc.meta['pubpipe-crossref'] = pandoc.json.encode({ targets = ordered, problems = problems, notices = notices })
  return doc
end
