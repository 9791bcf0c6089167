"""What a provider reveals for one sample: rows i at checkpoints c and c + 1, with Merkle proofs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from gpumarket.pogemm import spec


@dataclass(frozen=True)
class Reveal:
    """Row i of X_{cK} and of X_{(c+1)K} as int8 bytes, each with its Merkle proof."""

    c: int
    i: int
    row: bytes
    next_row: bytes
    proof: tuple[bytes, ...]
    next_proof: tuple[bytes, ...]

    def row_array(self) -> np.ndarray:
        return np.frombuffer(self.row, dtype=np.int8)

    def next_row_array(self) -> np.ndarray:
        return np.frombuffer(self.next_row, dtype=np.int8)

    def leaf(self) -> bytes:
        return spec.leaf(self.c, self.i, self.row_array())

    def next_leaf(self) -> bytes:
        return spec.leaf(self.c + 1, self.i, self.next_row_array())

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types (hex strings) for the agent's HTTP reveal endpoint."""
        return {
            "c": self.c,
            "i": self.i,
            "row": self.row.hex(),
            "next_row": self.next_row.hex(),
            "proof": [node.hex() for node in self.proof],
            "next_proof": [node.hex() for node in self.next_proof],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reveal:
        """Parse `to_json` output; raises ValueError (or KeyError/TypeError) on malformed input."""
        return cls(
            c=int(data["c"]),
            i=int(data["i"]),
            row=bytes.fromhex(data["row"]),
            next_row=bytes.fromhex(data["next_row"]),
            proof=tuple(bytes.fromhex(node) for node in data["proof"]),
            next_proof=tuple(bytes.fromhex(node) for node in data["next_proof"]),
        )
