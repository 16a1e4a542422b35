"""Reading and writing exports: CSV/TSV, XLSX, JSON Lines (encodings, delimiters, atomic writes)."""
