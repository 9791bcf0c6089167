"""`ErrorDecoder`: revert data back to `Name(args)` from the compiled ABIs in build/contracts.

The selectors are written out as literals (keccak of the signature, computed independently), so a
decoder that hashed the wrong signature would not find them."""

from __future__ import annotations

import pytest
from eth_abi import encode

from gpumarket.chain.client import ErrorDecoder, load_abi
from gpumarket.chain.deployment import CONTRACT_NAMES, DeploymentError

ALREADY_VOTED = bytes.fromhex("6a3532c4")  # OracleCouncilAlreadyVoted(uint256,address)
WRONG_STATE = bytes.fromhex("3beed227")  # JobMarketWrongState(uint256,uint8)
UNKNOWN_PARAMETER = bytes.fromhex("ecc24f22")  # JobMarketUnknownParameter(bytes32)
ERROR_STRING = bytes.fromhex("08c379a0")  # Error(string)
PANIC = bytes.fromhex("4e487b71")  # Panic(uint256)
MEMBER = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
#: eth_abi decodes an address in lower case.
MEMBER_DECODED = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"


@pytest.fixture(scope="module")
def decoder() -> ErrorDecoder:
    return ErrorDecoder(load_abi(name) for name in CONTRACT_NAMES)


def already_voted(subject: int, member: str) -> bytes:
    return ALREADY_VOTED + encode(["uint256", "address"], [subject, member])


def test_a_council_error_decodes_to_its_name_and_arguments(decoder):
    data = already_voted(2**255 + 7, MEMBER)

    assert decoder.decode(data) == ("OracleCouncilAlreadyVoted", (2**255 + 7, MEMBER_DECODED))
    assert decoder.describe(data) == (f"OracleCouncilAlreadyVoted({2**255 + 7}, {MEMBER_DECODED})")


def test_an_enum_argument_decodes_as_its_number(decoder):
    data = WRONG_STATE + encode(["uint256", "uint8"], [42, 3])

    assert decoder.decode(data) == ("JobMarketWrongState", (42, 3))
    assert decoder.describe(data) == "JobMarketWrongState(42, 3)"


@pytest.mark.parametrize("form", ["0x-hex", "bare-hex", "bytes"])
def test_hex_strings_with_or_without_0x_and_bytes_decode_alike(decoder, form):
    raw = WRONG_STATE + encode(["uint256", "uint8"], [1, 6])
    data = {"0x-hex": "0x" + raw.hex(), "bare-hex": raw.hex(), "bytes": raw}[form]

    assert decoder.decode(data) == ("JobMarketWrongState", (1, 6))


def test_a_bytes32_argument_is_described_in_hex(decoder):
    name = b"feeBps".ljust(32, b"\0")
    data = UNKNOWN_PARAMETER + encode(["bytes32"], [name])

    assert decoder.decode(data) == ("JobMarketUnknownParameter", (name,))
    assert decoder.describe(data) == f"JobMarketUnknownParameter(0x{name.hex()})"


def test_a_require_string_decodes_as_error(decoder):
    data = ERROR_STRING + encode(["string"], ["ERC20: insufficient allowance"])

    assert decoder.decode(data) == ("Error", ("ERC20: insufficient allowance",))
    assert decoder.describe(data) == "Error(ERC20: insufficient allowance)"


def test_revert_data_wrapped_in_prose_decodes_from_its_hex_part(decoder):
    data = ERROR_STRING + encode(["string"], ["no"])

    assert decoder.describe("Reverted 0x" + data.hex()) == "Error(no)"


@pytest.mark.parametrize("data", ["0x123", "not hex", "Reverted 0xzz"])
def test_revert_data_that_is_not_hex_is_not_decoded(decoder, data):
    assert decoder.decode(data) is None
    assert decoder.describe(data) == "reverted without a known reason"


def test_a_panic_decodes_with_its_code(decoder):
    data = PANIC + encode(["uint256"], [0x11])

    assert decoder.decode(data) == ("Panic", (17,))
    assert decoder.describe(data) == "Panic(17)"


def test_an_unknown_selector_is_not_decoded(decoder):
    data = bytes.fromhex("deadbeef") + encode(["uint256"], [1])

    assert decoder.decode(data) is None
    assert decoder.describe(data) == "reverted without a known reason"


@pytest.mark.parametrize("data", [None, b"", "", "0x", b"\x6a\x35\x32", "0x6a3532"])
def test_empty_or_short_revert_data_is_not_decoded(decoder, data):
    assert decoder.decode(data) is None
    assert decoder.describe(data) == "reverted without a known reason"


def test_truncated_arguments_keep_the_name_alone(decoder):
    data = already_voted(7, MEMBER)[:36]

    assert decoder.decode(data) == ("OracleCouncilAlreadyVoted", ())
    assert decoder.describe(data) == "OracleCouncilAlreadyVoted()"


def test_only_the_given_abis_are_known_besides_error_and_panic():
    decoder = ErrorDecoder([load_abi("JobMarket")])

    assert decoder.decode(already_voted(7, MEMBER)) is None
    assert decoder.decode(WRONG_STATE + encode(["uint256", "uint8"], [1, 2])) == (
        "JobMarketWrongState",
        (1, 2),
    )
    assert decoder.decode(PANIC + encode(["uint256"], [1])) == ("Panic", (1,))


def test_tuple_arguments_use_the_canonical_tuple_signature():
    abi = [
        {
            "type": "error",
            "name": "Bad",
            "inputs": [
                {
                    "name": "items",
                    "type": "tuple[]",
                    "components": [
                        {"name": "id", "type": "uint256"},
                        {"name": "who", "type": "address"},
                    ],
                },
                {"name": "code", "type": "uint8"},
            ],
        }
    ]
    data = bytes.fromhex("241c513e") + encode(  # Bad((uint256,address)[],uint8)
        ["(uint256,address)[]", "uint8"], [[(1, MEMBER), (2, MEMBER)], 9]
    )

    assert ErrorDecoder([abi]).decode(data) == (
        "Bad",
        (((1, MEMBER_DECODED), (2, MEMBER_DECODED)), 9),
    )


def test_a_missing_compiled_contract_says_how_to_build_it(tmp_path):
    with pytest.raises(DeploymentError) as raised:
        load_abi("OracleCouncil", tmp_path)

    assert str(raised.value) == (
        f"no compiled contract {tmp_path / 'OracleCouncil.json'}: "
        "run `make compile` in the repository first"
    )
