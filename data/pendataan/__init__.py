"""Pendataan: the six-field service records a posyandu keeps, followed from recorded to resolved (issue #18)."""
