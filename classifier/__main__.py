"""``python -m classifier`` runs the command line."""

from .interfaces.cli import main

main()
