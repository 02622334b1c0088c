-- Code blocks as the editions show them. Code chunks of Quarto and R Markdown (```{python}, ```{r}), which pubpipe shows as code and
-- never runs: pubpipe.load.foreign_syntax has written each chunk's opening fence in pandoc's form,
-- a code block of its language with the class code-chunk.
--
-- Quarto's option lines at the chunk's start (`#| label: fig-x`, `//| echo: false` in
-- Observable) are instructions to Quarto, which never shows them: they are taken out. Of them,
-- `lst-label` and `lst-cap` make the chunk a numbered listing in Quarto, and do so here too
-- (crossref.lua numbers it); the others ask for what only running the code would give.

local CHUNK = 'code-chunk'
-- pandoc's numbered lines: for each line, an empty link that screen readers announce without a
-- name, and numbers drawn by a style sheet of pandoc's that the editions do not carry. The code
-- is shown without them, as load/foreign_syntax.py reports with the block's line.
local NUMBERED = { numberLines = true, ['number-lines'] = true }

local function option(line)
  local key, value = line:match('^%s*[#/%-]+|%s*([%w%-]+)%s*:%s*(.-)%s*$')
  if not key then return nil end
  value = value:match('^"(.*)"$') or value:match("^'(.*)'$") or value
  return key, value
end

local function without_line_numbers(block)
  block.classes = block.classes:filter(function(class) return not NUMBERED[class] end)
  block.attributes.startFrom = nil
  block.attributes['start-from'] = nil
  return block
end

function CodeBlock(block)
  if not block.classes:includes(CHUNK) then return without_line_numbers(block) end
  without_line_numbers(block)
  block.classes = block.classes:filter(function(class) return class ~= CHUNK end)
  local lines = pandoc.List()
  local options = {}
  local in_options = true
  for line in (block.text .. '\n'):gmatch('(.-)\n') do
    local key, value = nil, nil
    if in_options then key, value = option(line) end
    if key then
      options[key] = value
    else
      in_options = false
      lines:insert(line)
    end
  end
  block.text = table.concat(lines, '\n')
  if options['lst-label'] and block.identifier == '' then
    block.identifier = options['lst-label']
    if options['lst-cap'] then block.attributes['lst-cap'] = options['lst-cap'] end
  end
  return block
end
