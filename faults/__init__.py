"""Fault tests: the platform against real services that stop, restart, hang or die (`make faults`)."""
