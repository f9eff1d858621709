"""Pure functions on text: extract, normalise, dedupe, link, stage, quantity. No I/O."""
