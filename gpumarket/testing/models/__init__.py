"""Python models the stateful tests check the contracts against: the council's counting
(`council`) and the whole protocol's money and states (`protocol`)."""
