"""Benchmarks of the protocol: exact gas per operation (`gas`) and its baseline (`baseline`)."""
