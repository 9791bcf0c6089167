"""`brownie run scripts/demo.py`: the embedded-chain demo (see gpumarket/demo.py)."""

from gpumarket.demo.story import run_demo


def main():
    run_demo()
