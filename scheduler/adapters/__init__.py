"""Publishing adapters: one contract (base.py), one module per platform, loaded as plugins."""
