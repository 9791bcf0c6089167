"""A challenge's seeds in tests: the challenge seed exists once the block after the opening has a
successor (`challengeSeed` reverts before block openBlock + 2), the sampling seed likewise after
the commitment. A dev chain that mines only on transactions gets the blocks mined here."""

from __future__ import annotations

from typing import Any

from brownie import chain, web3
from eth_abi import encode
from eth_utils.crypto import keccak

from gpumarket.pogemm import spec


def challenge_seed_of(challenge_id: int, open_block: int) -> bytes:
    """keccak256(abi.encode(challengeId, blockhash(openBlock + 1))), computed here from the
    chain's block, to check `challengeSeed` against."""
    block_hash = bytes(web3.eth.get_block(open_block + 1)["hash"])
    return bytes(keccak(encode(["uint256", "bytes32"], [challenge_id, block_hash])))


def mine_until(block: int) -> None:
    """Mine empty blocks until the chain's head is `block` (nothing when it is there already)."""
    if chain.height < block:
        chain.mine(block - chain.height)


def seed_ready(benchmark: Any, challenge_id: int) -> None:
    """Mine until the next transaction can read the seed fixed by the block after the
    challenge's anchor (its opening, or its commitment): that block must exist first."""
    mine_until(int(benchmark.challengeOf(challenge_id)["anchorBlock"]) + 1)


def challenge_params(benchmark: Any, challenge_id: int) -> spec.Params:
    """The PoGEMM parameters of an OPEN or later challenge, with its challenge seed: stored, or
    read from `challengeSeed` once the head is openBlock + 2 (mined up to it)."""
    c = benchmark.challengeOf(challenge_id)
    seed = bytes(c["seed"])
    if seed == bytes(32):
        mine_until(int(c["anchorBlock"]) + 2)
        seed = bytes(benchmark.challengeSeed(challenge_id))
    return spec.Params(seed, int(c["n"]), int(c["steps"]), int(c["interval"]))


def sampling_seed(benchmark: Any, challenge_id: int) -> bytes:
    """The sampling seed of a COMMITTED challenge, read once the head is commitBlock + 2."""
    c = benchmark.challengeOf(challenge_id)
    if bytes(c["samplingSeed"]) != bytes(32):
        return bytes(c["samplingSeed"])
    mine_until(int(c["anchorBlock"]) + 2)
    return bytes(benchmark.samplingSeed(challenge_id))
