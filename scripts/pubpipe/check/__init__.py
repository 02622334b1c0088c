"""The checker: read each edition back into one Summary, compare the summaries with each other,
with the canonical source and with the original as received, and fold the validators' messages
into the same report. See run.py for the order of work."""
