"""Adversarial tests: the role matrix of every state-changing function (issue 6)."""
