"""Writers of the files less-tui exports (no Textual here)."""
