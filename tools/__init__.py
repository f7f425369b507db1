"""Developer tools run by the Makefile (translations, checks)."""
