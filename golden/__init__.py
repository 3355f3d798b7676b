"""golden: deterministic golden-vector packs ($readmemh hex, JSONL, manifest) (issue #3)."""
