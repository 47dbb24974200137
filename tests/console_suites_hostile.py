"""Suites of tests/console_suite.py: hostile clients."""
SUITES = {}
