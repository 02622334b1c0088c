-- Quarto's conditional content: divs, spans and code blocks of class content-visible or
-- content-hidden, with when-format / unless-format, when-meta / unless-meta and when-profile /
-- unless-profile conditions.
--
-- Quarto renders one format at a time and keeps what that format's conditions allow. pubpipe's
-- three editions must carry the same text, and all three are made from one HTML document (the
-- EPUB is XHTML, the PDF is printed from HTML), so every condition is judged once, as Quarto
-- judges it for its `html` format: `when-format="html"` holds (also html4, html5), any other
-- format (pdf, latex, epub, html:js, revealjs, docx…) does not; `when-meta="key"` holds when the
-- front matter's value at that key (a dotted path) is true; no profile is active. What is kept
-- is shown as if it had no condition; what is not is left out of every edition. Each element is listed with the
-- line that the load step wrote into it (pubpipe-line), so that pubpipe can report it.

local HTML_FORMATS = { html = true, html4 = true, html5 = true }
local LINE = 'pubpipe-line'
local found = pandoc.List()
local meta = nil
local meta_at = dofile(pandoc.path.join({ pandoc.path.directory(PANDOC_SCRIPT_FILE), 'meta_path.lua' }))

local function words(value)
  local out = {}
  for word in (value or ''):gmatch('[^,%s]+') do table.insert(out, word) end
  return out
end

local function any_format(value)
  for _, name in ipairs(words(value)) do
    if HTML_FORMATS[name] then return true end
  end
  return false
end

local function meta_true(path)
  local value = meta_at(meta, path)
  if value == nil then return false end
  return value == true or (pandoc.utils.type(value) ~= 'boolean' and
    pandoc.utils.stringify(value):lower() == 'true')
end

-- Whether every condition of the element holds (no condition: true).
local function conditions_hold(attributes)
  local checks = {
    ['when-format'] = function(v) return any_format(v) end,
    ['unless-format'] = function(v) return not any_format(v) end,
    ['when-meta'] = meta_true,
    ['unless-meta'] = function(v) return not meta_true(v) end,
    ['when-profile'] = function() return false end,
    ['unless-profile'] = function() return true end,
  }
  local condition = pandoc.List()
  local holds = true
  for name, check in pairs(checks) do
    local value = attributes[name]
    if value ~= nil then
      condition:insert(name .. '="' .. value .. '"')
      holds = holds and check(value)
    end
  end
  table.sort(condition)
  return holds, table.concat(condition, ' ')
end

local function behaviour(element)
  if element.classes:includes('content-visible') then return 'content-visible' end
  if element.classes:includes('content-hidden') then return 'content-hidden' end
  return nil
end

local function judge(element)
  local kind = behaviour(element)
  if kind == nil then return nil end
  local holds, condition = conditions_hold(element.attributes)
  local shown = (kind == 'content-visible') == holds
  found:insert({ line = tonumber(element.attributes[LINE]), kind = kind, condition = condition, shown = shown })
  return shown
end

-- A kept element: the same element without the condition, so that the filter goes on into it
-- (a condition inside a kept div is judged too).
local function unconditional(element)
  element.classes = element.classes:filter(function(c) return c ~= 'content-visible' and c ~= 'content-hidden' end)
  for _, name in ipairs({ LINE, 'when-format', 'unless-format', 'when-meta', 'unless-meta', 'when-profile', 'unless-profile' }) do
    element.attributes[name] = nil
  end
  return element
end

local function apply(element)
  local shown = judge(element)
  if shown == nil then return nil end
  if shown then return unconditional(element) end
  return {}, false
end

return {
  {
    Meta = function(m) meta = m end,
  },
  {
    traverse = 'topdown',
    Div = apply,
    Span = apply,
    CodeBlock = apply,
  },
  {
    Meta = function(m)
      m['pubpipe-conditional'] = pandoc.json.encode(found)
      return m
    end,
  },
}
