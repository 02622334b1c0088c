-- The front matter's value at a dotted path ("citation.container-title"), as Quarto's
-- {{< meta key >}} shortcode and its when-meta conditions name it; nil when the path leads
-- nowhere (a missing key, or a step into text or a list).

-- The keys pandoc gets from the build's command line, not from the front matter (the paths on the
-- editor's machine that citeproc reads, and pubpipe's own data) lead nowhere: no edition shows
-- them (pubpipe.load.foreign_syntax.SET_BY_THE_BUILD, given in PUBPIPE_META_HIDDEN).
local HIDDEN = pandoc.json.decode(os.getenv('PUBPIPE_META_HIDDEN') or '{"keys": [], "prefix": "pubpipe-"}')

local function hidden(path)
  local first = path:match('^[^.]+') or path
  if first:sub(1, #HIDDEN.prefix) == HIDDEN.prefix then return true end
  for _, key in ipairs(HIDDEN.keys) do
    if key == first then return true end
  end
  return false
end

return function(meta, path)
  if hidden(path) then return nil end
  local value = meta
  for part in path:gmatch('[^.]+') do
    if type(value) ~= 'table' or pandoc.utils.type(value) == 'Inlines' or pandoc.utils.type(value) == 'List' then
      return nil
    end
    value = value[part]
  end
  return value
end
