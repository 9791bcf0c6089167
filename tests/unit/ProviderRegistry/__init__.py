"""ProviderRegistry unit tests.

A package, so that its module names (`ProviderRegistry.test_setParameter`, ...) never collide with
a unit test module of the same file name in another contract's folder.
"""
