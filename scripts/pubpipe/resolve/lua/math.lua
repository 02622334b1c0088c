-- Math, before anything else reads the document: the resolve step's first filter.
--
-- Raw TeX math environments in the Markdown (\begin{equation} … \end{equation}, align, gather,
-- multline, eqnarray, flalign, alignat, displaymath, starred or not) would reach no edition:
-- pandoc's HTML writer drops raw TeX. Each becomes display math here. An `equation` or
-- `displaymath` loses its wrapper; the others stay environments inside the formula, which pandoc's
-- texmath (MathML) and MathJax (the PDF's SVG) both read. \label stays in the TeX for crossref.lua
-- to number; \nonumber and \notag go, since formulas are numbered only when labelled.
--
-- Raw HTML <math> is listed, for pubpipe.resolve.math to refuse with its line: MathML in the
-- editions must be pandoc's own, made from the TeX that the PDF draws too.
-- Output: the metadata field `pubpipe-math`, a JSON string {raw_mathml = [text, …]}.

local ENVIRONMENTS = {
  equation = 'unwrap', displaymath = 'unwrap', align = 'keep', gather = 'keep', multline = 'keep',
  eqnarray = 'keep', flalign = 'keep', alignat = 'keep',
}

local raw_mathml = {}

local function is_tex(raw)
  return raw.format == 'tex' or raw.format == 'latex'
end

-- The TeX of a raw math environment as a display formula, or nil for any other raw TeX.
local function formula(raw)
  if not is_tex(raw) then return nil end
  local name, star, rest = raw.text:match('^%s*\\begin%s*{(%a+)(%*?)}(.*)$')
  if not name or not ENVIRONMENTS[name] then return nil end
  local inner = rest:match('^(.*)\\end%s*{' .. name .. '%*?}%s*$')
  if not inner then return nil end
  inner = inner:gsub('\\nonumber%f[%A]', ''):gsub('\\notag%f[%A]', '')
  if ENVIRONMENTS[name] == 'unwrap' then return inner end
  return '\\begin{' .. name .. star .. '}' .. inner .. '\\end{' .. name .. star .. '}'
end

local function note_mathml(raw)
  if (raw.format == 'html' or raw.format == 'html5') and raw.text:lower():match('<%s*math[%s>/]') then
    table.insert(raw_mathml, raw.text)
  end
end

function RawInline(raw)
  note_mathml(raw)
  local tex = formula(raw)
  if tex then return pandoc.Math('DisplayMath', tex) end
end

function RawBlock(raw)
  note_mathml(raw)
  local tex = formula(raw)
  if tex then return pandoc.Para({ pandoc.Math('DisplayMath', tex) }) end
end

function Meta(meta)
  meta['pubpipe-math'] = pandoc.json.encode({ raw_mathml = raw_mathml })
  return meta
end
