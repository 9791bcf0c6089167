// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockERC20} from "./MockERC20.sol";

/// @title BlacklistToken
/// @notice A USDC-style stablecoin (6 decimals) whose issuer can block accounts: transfers to or
/// from a blocked account revert.
contract BlacklistToken is MockERC20 {
    error BlacklistTokenBlocked(address account);

    mapping(address => bool) public blocked;

    constructor() MockERC20("Blocking USD", "BUSD", 6) {}

    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert BlacklistTokenBlocked(from);
        if (blocked[to]) revert BlacklistTokenBlocked(to);
        super._update(from, to, value);
    }
}
