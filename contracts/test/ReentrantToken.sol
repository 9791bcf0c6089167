// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockERC20} from "./MockERC20.sol";

/// @title ReentrantToken
/// @notice A token with a transfer hook (ERC-777 style): when armed, every transfer calls
/// `target` with `payload` before moving the balance, and records whether that call succeeded.
contract ReentrantToken is MockERC20 {
    event ReentryAttempted(address indexed target, bool success, bytes returnData);

    address public target;
    bytes public payload;
    bool public lastReentrySucceeded;
    bytes public lastReentryReturnData;
    uint256 public reentryAttempts;
    bool private _inHook;

    constructor() MockERC20("Hook Token", "HOOK", 18) {}

    /// @notice Arms the hook: the next transfers call `target_` with `payload_`.
    function arm(address target_, bytes calldata payload_) external {
        target = target_;
        payload = payload_;
    }

    /// @notice Disarms the hook.
    function disarm() external {
        target = address(0);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (target != address(0) && !_inHook && from != address(0)) {
            _inHook = true;
            // solhint-disable-next-line avoid-low-level-calls
            (bool success, bytes memory returnData) = target.call(payload);
            _inHook = false;
            reentryAttempts += 1;
            lastReentrySucceeded = success;
            lastReentryReturnData = returnData;
            emit ReentryAttempted(target, success, returnData);
        }
        super._update(from, to, value);
    }
}
