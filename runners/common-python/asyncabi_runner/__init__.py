"""asyncabi_runner: the runner core every Python backend shares (the protocol loop in protocol.py,
the meaning of each scenario step in steps.py); a backend adds only its binding's operations."""
