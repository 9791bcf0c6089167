"""`make demo` as a test: three agents and three oracles as processes, four stories, and every
figure of the final table checked to the unit; and what it prints is the story alone: no
Brownie transaction lines and no mnemonic, on the story's console or on the process's own
stdout and stderr."""

import io
import re

from eth_account.hdaccount.mnemonic import Language, Mnemonic
from rich.console import Console

from gpumarket.cli.accounts import DEV_MNEMONIC
from gpumarket.demo.story import run_demo

USDC = 10**6
GMKT = 10**18
STAKE = 5_000 * GMKT
VALUE = 36 * USDC // 10  # 1.80 USDC x 2 GPUs x 1 hour
FEE = VALUE * 500 // 10_000  # 5%, exact here
BOND = 10 * USDC  # the stablecoin's minimum: 10% of the value is less


def no_chatter_and_no_mnemonic(text):
    """No Brownie transaction lines, and no mnemonic: neither the word, nor anvil's, nor 12 or
    more BIP-39 words in a row separated by single spaces (how a mnemonic is written)."""
    assert "Transaction sent" not in text and "Gas price" not in text
    assert "mnemonic" not in text.lower() and DEV_MNEMONIC not in text
    words = set(Mnemonic(Language.ENGLISH).wordlist)
    for phrase in re.findall(r"[a-z]+(?: [a-z]+)*", text):
        run = 0
        for word in phrase.split(" "):
            run = run + 1 if word in words else 0
            assert run < 12, f"a mnemonic was printed: {phrase!r}"


def test_the_demo_plays_four_stories_and_every_figure_adds_up(capfd):
    out = io.StringIO()

    figures = run_demo(Console(file=out, width=120))

    printed = capfd.readouterr()
    for text in (out.getvalue(), printed.out, printed.err):
        no_chatter_and_no_mnemonic(text)

    assert figures["states"] == {
        "auction": "SETTLED",
        "cheater": "FAILED",
        "silent": "FAILED",
        "dispute": "SETTLED",
    }
    balances = figures["balances"]
    # Provider A: two jobs paid less the fee, and the buyer's bond from the lost dispute.
    assert balances["provider A"] == {"usdc": 2 * (VALUE - FEE) + BOND, "gmkt": STAKE}
    # B and C lose their job's collateral (10 GMKT per GPU-hour); half goes to the buyer.
    assert balances["provider B (cheats)"] == {"usdc": 0, "gmkt": STAKE - 20 * GMKT}
    assert balances["provider C (goes silent)"] == {"usdc": 0, "gmkt": STAKE - 10 * GMKT}
    assert balances["buyer"]["gmkt"] == 15 * GMKT
    assert balances["treasury"] == {"usdc": 2 * FEE, "gmkt": 15 * GMKT}
    assert figures["fees"] == 2 * FEE
    # The buyer keeps what was minted for it less the two settled jobs and the lost bond.
    minted = 5 * USDC + 4 * USDC + 25 * USDC // 10 + VALUE + BOND
    assert balances["buyer"]["usdc"] == minted - 2 * VALUE - BOND
    steps = {(story, step) for story, step, _ in figures["gas"]}
    assert ("2 cheater", "vote 2 (service)") in steps and ("3 silent", "claimTimeout") in steps
    text = out.getvalue()
    assert "Balances at the end" in text and "Gas per step" in text
