"""Reading and writing exports: CSV/TSV, XLSX, JSON Lines, Parquet (encodings, delimiters, atomic writes)."""
