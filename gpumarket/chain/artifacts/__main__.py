"""`python -m gpumarket.chain.artifacts`: rewrite the shipped contract files from the build."""

import sys

from gpumarket.chain.artifacts import main

sys.exit(main())
