"""asyncabi_py: a UniFFI-style asyncio binding driven by interface.json, and its stdio runner."""
__version__ = "0.1.0"
