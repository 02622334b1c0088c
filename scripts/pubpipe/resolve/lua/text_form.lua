-- A formula where only text may stand (the web page's <title>, the PDF's /Title, running head and
-- bookmarks, the EPUB's dc:title and contents, meta tags, a section reference by its heading):
-- pandoc's plain writer writes it in Unicode ("α-decay of ²³⁸U", "x₁²"). A formula it cannot
-- write so (\frac, \sqrt …) stays TeX there, and is listed in `as_tex` for pubpipe.resolve.math
-- to report; the HTML shows the formula itself.
-- Loaded with dofile by the filters and the writer that need it (lua/resolve.lua, lua/crossref.lua).

local M = { as_tex = pandoc.List() }

function M.math_as_text(formula)
  local text = pandoc.write(pandoc.Pandoc({ pandoc.Plain({ formula }) }), 'plain'):gsub('%s+$', '')
  local delimiter = formula.mathtype == 'DisplayMath' and '$$' or '$'
  if text == delimiter .. formula.text .. delimiter then
    if not M.as_tex:includes(formula.text) then M.as_tex:insert(formula.text) end
    return pandoc.Str(formula.text)
  end
  return pandoc.Str(text)
end

-- The text of inlines or blocks, their formulas in Unicode (notes left out, as stringify does).
function M.plain_text(value)
  return pandoc.utils.stringify(value:walk({ Math = M.math_as_text }))
end

return M
