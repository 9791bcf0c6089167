"""The `gpumarket` command line (main.py), talking to the chain with web3, never Brownie.

What every chain command shares:
  options.py   the shared options, `chain_command`, Brownie's network config
  accounts.py  dev accounts, keystores, GPUMARKET_PRIVATE_KEY
  abi.py       ABI-only copies of the build, so a command starts fast
  session.py   one command's connection: reads, tokens, allowance, sending, output
  jobs.py      jobs as the CLI reads and shows them; eligibility in words
  errors.py    the contracts' custom errors as sentences
  units.py     token amounts, durations, times, GPU models and regions
  display.py   what fits a terminal: short addresses (0x1234…abcd) unless --wide

The commands: buyer/ and provider/ (a module per group of subcommands), market.py, deploy.py,
token.py (balances, transfers, allowances on any network), dev.py (dev chains only: funding and
time travel), arbiter.py (resolve disputes), admin.py (pause, tokens, parameters), and the
services' agent.py, oracle.py and bench.py.
"""
