"""Adapter tests: one contract suite for every registered adapter, plus specifics."""
