-- Quarto's callouts: ::: {.callout-note} … ::: (and callout-tip, -warning, -caution, -important),
-- titled by a heading at their start (## Title) or a `title="…"` attribute.
--
-- pandoc knows no callouts: it keeps the div and its heading, so the title would be a section
-- heading of the article, in the contents, the PDF's bookmarks and the heading levels around it.
-- Here a callout becomes a box that is a note to the text (role="note"), its title a caption of
-- the box (a div of class callout-title, no heading), the same in every edition. Without a
-- title the box is captioned with its kind, in the article's language ("Note", "Hinweis").
-- Quarto's `collapse`, `icon` and `appearance` change only how a web page draws the box: a printed
-- page cannot fold, so every box is shown open.
--
-- Input: the environment variable PUBPIPE_CALLOUTS, a JSON object from pubpipe.resolve.callouts:
--   names   {note = "Note", …} in the article's language
--   native  false when those are English standing in (then marked lang="en")
--   own     the kinds whose words the author gave (Quarto's language: callout-note-title): never marked

local config = pandoc.json.decode(os.getenv('PUBPIPE_CALLOUTS') or '{}')
local NAMES = config.names or {}
local NATIVE = config.native ~= false
local OWN = {}
for _, kind in ipairs(config.own or {}) do OWN[kind] = true end
local KINDS = { note = true, tip = true, warning = true, caution = true, important = true }
-- Quarto's attributes that only a web page's drawing of the box reads.
local DRAWING = { 'collapse', 'icon', 'appearance', 'title' }

local function kind_of(div)
  for _, class in ipairs(div.classes) do
    local kind = class:match('^callout%-(%a+)$')
    if kind and KINDS[kind] then return kind end
  end
  return nil
end

local function kind_word(kind)
  local text = pandoc.Inlines({ pandoc.Str(NAMES[kind] or kind) })
  if NATIVE or OWN[kind] then return text end
  return pandoc.Inlines({ pandoc.Span(text, { lang = 'en' }) })
end

function Div(div)
  local kind = kind_of(div)
  if not kind then return nil end
  local content = div.content
  local title
  if div.attributes.title and div.attributes.title ~= '' then
    title = pandoc.utils.blocks_to_inlines(pandoc.read(div.attributes.title, 'markdown').blocks)
  elseif content[1] and content[1].t == 'Header' then
    title = content[1].content
    content = pandoc.Blocks({ table.unpack(content, 2) })
  else
    title = kind_word(kind)
  end
  for _, name in ipairs(DRAWING) do div.attributes[name] = nil end
  local classes = pandoc.List({ 'callout', 'callout-' .. kind })
  for _, class in ipairs(div.classes) do
    if not class:match('^callout') then classes:insert(class) end
  end
  local box = pandoc.Blocks({ pandoc.Div({ pandoc.Plain(title) }, { class = 'callout-title' }) })
  box:extend(content)
  div.content = box
  div.classes = classes
  div.attributes.role = 'note'
  return div
end
