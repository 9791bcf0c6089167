"""Reputation unit tests.

A package, so that its module names never collide with a unit test module of the same file name in
another contract's folder.
"""
