"""The PRC provisions a message may violate: the statute data, reason codes found in the text, and advice."""
