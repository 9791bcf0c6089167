"""`bytecode_matches`: the launcher's check that deployed code is a build's runtime code, which
keeps Brownie's pcMap (coverage, tracebacks) for contracts with immutables and linked libraries."""

from gpumarket.chain.launcher import bytecode_matches

#: Metadata: 2 bytes of CBOR ("a1b2") and its length (0x0002), stripped before comparing.
META = "a1b20002"
LIBRARY = "__MarketGovernance______________________"
ADDRESS = "5fbdb2315678afecb367f032d93f642f64180aa3"


def test_identical_code_matches():
    assert bytecode_matches("0x6080" + META, "6080" + META)


def test_an_immutable_slot_may_hold_a_value():
    assert bytecode_matches("60ff" + "00" * 31 + "2a" + META, "60ff" + "00" * 32 + META)


def test_a_linked_library_placeholder_takes_the_library_address():
    assert bytecode_matches("73" + ADDRESS + "f4" + META, "73" + LIBRARY + "f4" + META)


def test_code_that_differs_outside_immutables_and_links_does_not_match():
    assert not bytecode_matches("73" + ADDRESS + "f5" + META, "73" + LIBRARY + "f4" + META)
    # A zero nibble of the build may hold anything (an immutable's value); others may not.
    assert not bytecode_matches("6082" + META, "6081" + META)


def test_code_of_another_length_does_not_match():
    assert not bytecode_matches("608000" + META, "6080" + META)
