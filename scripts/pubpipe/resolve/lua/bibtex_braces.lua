-- BibTeX's braces in the fields that pandoc's BibTeX reader keeps as raw text.
--
-- In BibTeX, braces only protect letters from a style's case changes ({PhD}, {DNA}); they are
-- never printed. pandoc's reader takes them off every field it reads as text, but keeps a few
-- fields raw (the thesis kind, `type = {{PhD} dissertation}`, which becomes CSL's genre), so
-- the editions printed "{PhD} dissertation". Here each such reference is given again, its raw
-- fields without the braces, in the document's own `references:`, which citeproc prefers to a
-- bibliography file's entry of the same id. References the front matter gives itself are
-- read as Markdown and are not touched.

local KEPT = { id = true, type = true }

function Pandoc(doc)
  local fixed = pandoc.List()
  for _, reference in ipairs(pandoc.utils.references(doc)) do
    local changed = false
    for field, value in pairs(reference) do
      if not KEPT[field] and type(value) == 'string' and value:find('[{}]') then
        reference[field] = (value:gsub('[{}]', ''))
        changed = true
      end
    end
    if changed then fixed:insert(reference) end
  end
  if #fixed == 0 then return nil end
  local own = doc.meta.references
  local references = pandoc.List(own and pandoc.utils.type(own) == 'List' and own or {})
  references:extend(fixed)
  doc.meta.references = references
  return doc
end
