"""PoGEMM: a proof that a provider ran 2·n³·T integer operations of GEMM after a fresh seed.

Modules: `spec` (generator, step, leaves), `reference` (the same in plain Python), `merkle`,
`backends` (numpy, torch CPU/CUDA), `prover`, `verifier`, `soundness`, `gpus`.
"""
