"""Siar: schedules KPU offices' public-information posts (import name: scheduler)."""

__version__ = "0.1.0"
