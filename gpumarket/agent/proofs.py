"""The agent's files: the proofs behind its reveals, and the atomic writes every file goes
through.

A proof is saved as a directory named by (challenge id, root) holding the leaf digests (from
which ``MerkleTree(blob)`` rebuilds the tree), the checkpoint matrices its CheckpointStore keeps
(as .npy files) and a JSON description. Files are written to a temporary name and renamed into
place, and a proof's directory is staged beside its final name and renamed, so a reader (the HTTP
server, a restarted agent) never sees half of one. The store records a proof (`ProofRecord`)
only once its directory is in place.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gpumarket.pogemm import spec
from gpumarket.pogemm.merkle import DIGEST_BYTES, MerkleTree
from gpumarket.pogemm.prover import CheckpointStore, Proof

LEAVES_FILE = "leaves.bin"
META_FILE = "proof.json"


@dataclass(frozen=True)
class ProofRecord:
    """A proof on disk, as the store lists it: what it proves, how long it took, where it is."""

    challenge_id: int
    root: bytes
    seed: bytes
    n: int
    steps: int
    interval: int
    seconds: float
    path: str

    @property
    def params(self) -> spec.Params:
        return spec.Params(self.seed, self.n, self.steps, self.interval)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file, fsync'd, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    _write_synced(tmp, data)
    os.replace(tmp, path)


@contextmanager
def staged_dir(final: Path) -> Iterator[Path]:
    """A temporary directory beside `final`, renamed to it when the block succeeds."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def proof_dir_name(challenge_id: int, root: bytes) -> str:
    return f"{challenge_id}-{root.hex()}"


def save_proof(proofs_dir: Path, challenge_id: int, proof: Proof) -> Path:
    """Write what answers reveals for `proof` under `proofs_dir`; returns its directory. A
    directory already there is complete (it appears by rename) and is kept."""
    final = proofs_dir / proof_dir_name(challenge_id, proof.root)
    if final.exists():
        return final
    params = proof.params
    stored = proof.store.stored
    with staged_dir(final) as staging:
        blob = b"".join(proof.tree.leaf(index) for index in range(proof.tree.leaf_count))
        _write_synced(staging / LEAVES_FILE, blob)
        every_row = list(range(params.n))
        for c in stored:
            with open(staging / f"checkpoint-{c}.npy", "wb") as out:
                np.save(out, proof.store.rows(c, every_row), allow_pickle=False)
                out.flush()
                os.fsync(out.fileno())
        meta = {
            "challenge_id": challenge_id,
            "root": proof.root.hex(),
            "seed": params.seed.hex(),
            "n": params.n,
            "steps": params.steps,
            "interval": params.interval,
            "keep_every": proof.store.keep_every,
            "checkpoints": stored,
        }
        _write_synced(staging / META_FILE, json.dumps(meta, sort_keys=True).encode())
    return final


def load_proof(path: Path) -> Proof:
    """The Proof saved by `save_proof` in `path`; ValueError when the files disagree."""
    meta = json.loads((path / META_FILE).read_text())
    params = spec.Params(
        bytes.fromhex(meta["seed"]), int(meta["n"]), int(meta["steps"]), int(meta["interval"])
    )
    blob = (path / LEAVES_FILE).read_bytes()
    if len(blob) != params.leaf_count * DIGEST_BYTES:
        raise ValueError(f"{path}: {len(blob)} bytes of leaves for {params.leaf_count} leaves")
    store = CheckpointStore(
        params, spec.b_matrix(params.seed, params.n), keep_every=int(meta["keep_every"])
    )
    for c in meta["checkpoints"]:
        matrix = np.load(path / f"checkpoint-{c}.npy", allow_pickle=False)
        if matrix.shape != (params.n, params.n) or matrix.dtype != np.int8:
            raise ValueError(f"{path}: checkpoint {c} is {matrix.dtype} {matrix.shape}")
        store.add(int(c), matrix)
    proof = Proof(params, MerkleTree(blob), store)
    if proof.root.hex() != meta["root"]:
        raise ValueError(f"{path}: leaves give root {proof.root.hex()}, not {meta['root']}")
    return proof


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
