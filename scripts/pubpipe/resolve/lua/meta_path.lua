-- The front matter's value at a dotted path ("citation.container-title"), as Quarto's
-- {{< meta key >}} shortcode and its when-meta conditions name it; nil when the path leads
-- nowhere (a missing key, or a step into text or a list).

return function(meta, path)
  local value = meta
  for part in path:gmatch('[^.]+') do
    if type(value) ~= 'table' or pandoc.utils.type(value) == 'Inlines' or pandoc.utils.type(value) == 'List' then
      return nil
    end
    value = value[part]
  end
  return value
end
