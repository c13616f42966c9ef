"""asyncabi conformance harness: scenarios as data, runners over stdio, a pytest plugin."""
