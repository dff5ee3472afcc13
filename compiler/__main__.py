"""`python -m compiler` → the apura CLI."""

from compiler.cli import main

main()
