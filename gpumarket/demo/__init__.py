"""The `make demo` story (`story`) and the cheating provider it plays (`cheater`)."""
