"""Integration flows and adversarial-token tests.

A package, so that its module names (`integration.test_pause`, ...) never collide with a unit
test module of the same file name elsewhere in the suite.
"""
