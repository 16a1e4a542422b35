"""Text handling: normalization, number masking, transcripts, n-gram features and evasion tricks."""
