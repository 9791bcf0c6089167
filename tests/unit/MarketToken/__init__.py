"""MarketToken unit tests (a package, so module names never collide across contract folders)."""
