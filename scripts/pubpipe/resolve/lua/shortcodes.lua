-- Two of Quarto's shortcodes that mean the same in every edition, expanded here once:
--   {{< pagebreak >}}, a paragraph of its own: a page break, which the printed editions take
--     (print.css and epub.css: div.pagebreak) and a web page, which has no pages, ignores;
--   {{< meta key >}} (key, or a dotted path key.sub into the front matter): the front matter's
--     text for that key, as Quarto shows it.
-- Any other shortcode, and a meta key with no text behind it, stays as written; load/foreign_syntax.py
-- reports those with their line. Shortcodes inside code are code (pandoc never makes them Str).
-- And Quarto's margin content written inline ([…]{.aside}, [...]{.column-margin}), which Quarto
-- sets in the margin and the editions in the line: a space before it, where the author wrote
-- none ("…suggest.[The storm…]{.aside}" read "suggest.The storm").

local META
local meta_at = dofile(pandoc.path.join({ pandoc.path.directory(PANDOC_SCRIPT_FILE), 'meta_path.lua' }))

local function tokens(inlines, start)
  -- The words of a shortcode that begins at inlines[start] ("{{<"), and the index of the Str
  -- that closes it (">}}", perhaps followed by punctuation), or nil.
  local words = {}
  local index = start + 1
  while index <= #inlines do
    local item = inlines[index]
    if item.t == 'Str' then
      if item.text:sub(1, 3) == '>}}' then return words, index end
      table.insert(words, item.text)
    elseif item.t ~= 'Space' then
      return nil
    end
    index = index + 1
  end
  return nil
end

local function meta_text(path)
  local value = meta_at(META, path)
  local kind = pandoc.utils.type(value)
  if kind == 'Inlines' then return value:clone() end
  if kind == 'string' or kind == 'number' then return pandoc.Inlines({ pandoc.Str(tostring(value)) }) end
  return nil
end

local function is_pagebreak(block)
  if block.t ~= 'Para' or #block.content == 0 or block.content[1].t ~= 'Str' or block.content[1].text ~= '{{<' then
    return false
  end
  local words, closing = tokens(block.content, 1)
  return words ~= nil and #words == 1 and words[1] == 'pagebreak' and closing == #block.content
    and block.content[closing].text == '>}}'
end

local function expand_meta(inlines)
  local result = pandoc.Inlines({})
  local index = 1
  while index <= #inlines do
    local item = inlines[index]
    local expanded = false
    if item.t == 'Str' and item.text == '{{<' then
      local words, closing = tokens(inlines, index)
      if words and #words == 2 and words[1] == 'meta' then
        local text = meta_text(words[2])
        if text then
          result:extend(text)
          local rest = inlines[closing].text:sub(4)
          if rest ~= '' then result:insert(pandoc.Str(rest)) end
          index = closing + 1
          expanded = true
        end
      end
    end
    if not expanded then
      result:insert(item)
      index = index + 1
    end
  end
  return result
end

local MARGIN = { aside = true, ['column-margin'] = true, ['margin-aside'] = true }

local function spaced_margin_content(inlines)
  local result = pandoc.Inlines({})
  for index, item in ipairs(inlines) do
    local previous = inlines[index - 1]
    if item.t == 'Span' and previous and previous.t ~= 'Space' and previous.t ~= 'SoftBreak' and previous.t ~= 'LineBreak'
        and item.classes:find_if(function(class) return MARGIN[class] end) then
      result:insert(pandoc.Space())
    end
    result:insert(item)
  end
  return result
end

function Pandoc(doc)
  META = doc.meta
  return doc:walk({
    Blocks = function(blocks)
      local changed = false
      for index, block in ipairs(blocks) do
        if is_pagebreak(block) then
          blocks[index] = pandoc.Div({}, { class = 'pagebreak' })
          changed = true
        end
      end
      return changed and blocks or nil
    end,
    Inlines = function(inlines) return spaced_margin_content(expand_meta(inlines)) end,
  })
end
