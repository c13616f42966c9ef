"""An adapter from the conformance runner protocol onto UniFFI's generated Python bindings."""
__version__ = "0.1.0"
