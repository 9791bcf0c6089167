"""Off-chain services: the oracle and the provider agent, and what they share."""
