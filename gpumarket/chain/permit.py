"""EIP-2612 permits: sign an approval off-chain so that one transaction can spend it."""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data

_PERMIT_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
}


def permit_message(
    token: Any, owner: str, spender: str, value: int, nonce: int, deadline: int
) -> SignableMessage:
    """The typed-data Permit message for `token` (an ERC-5267 token: it has `eip712Domain()`)."""
    name, version, chain_id, verifying_contract = token.eip712Domain()[1:5]
    return encode_typed_data(
        full_message={
            "types": _PERMIT_TYPES,
            "primaryType": "Permit",
            "domain": {
                "name": name,
                "version": version,
                "chainId": chain_id,
                "verifyingContract": verifying_contract,
            },
            "message": {
                "owner": owner,
                "spender": spender,
                "value": value,
                "nonce": nonce,
                "deadline": deadline,
            },
        }
    )


def sign_permit(
    token: Any,
    private_key: str,
    owner: str,
    spender: str,
    value: int,
    deadline: int,
    nonce: int | None = None,
) -> tuple[int, bytes, bytes]:
    """(v, r, s) of a permit from `owner`, signed with `private_key`, at the owner's nonce."""
    nonce = token.nonces(owner) if nonce is None else nonce
    signed = Account.sign_message(
        permit_message(token, owner, spender, value, nonce, deadline), private_key
    )
    return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")
