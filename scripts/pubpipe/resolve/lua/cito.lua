-- pandoc-scholar's typed citations: @cites_as_evidence:doe2020 says why a work is cited with a
-- property of CiTO, the Citation Typing Ontology, before the key. pandoc-scholar's own filter takes
-- the property off before citeproc runs; without that, every such citation is a missing key.
-- Here too the property is taken off, so the citation is the plain @doe2020 (the editions have no
-- place for the property; the text reads the same). A prefix that is not a CiTO property is left:
-- a key such as `smith:2020` is the author's own.

local CITO = {}
for name in ([[agrees_with cites cites_as_authority cites_as_data_source cites_as_evidence
  cites_as_metadata_document cites_as_potential_solution cites_as_recommended_reading
  cites_as_related cites_as_review cites_as_source_document cites_for_information compiles
  confirms contains_assertion_from corrects credits critiques derides describes disagrees_with
  discusses disputes documents extends gives_background_to gives_support_to includes_excerpt_from
  includes_quotation_from is_cited_by links_to obtains_background_from obtains_support_from
  parodies plagiarizes qualifies refutes replies_to retracts reviews ridicules shares_author_with
  speculates_on supports updates uses_conclusions_from uses_data_from uses_method_in]]):gmatch('%S+') do
  CITO[name] = true
end

function Cite(element)
  local changed = false
  for _, citation in ipairs(element.citations) do
    local property, key = citation.id:match('^([%a_]+):(.+)$')
    if property and CITO[property:lower()] then
      citation.id = key
      changed = true
    end
  end
  if changed then
    element.citations = element.citations  -- write the changed citations back
    return element
  end
end
