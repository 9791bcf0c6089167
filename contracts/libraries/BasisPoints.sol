// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title BasisPoints
/// @notice All percentage maths of the protocol, with one divisor (10,000 basis points).
/// @dev Rounding direction is explicit at every call site: fees round up (in the protocol's
/// favour), shares paid out of a fixed amount round down so that the remainder is exact.
library BasisPoints {
    /// @notice The divisor: 10,000 basis points are 100%.
    uint256 internal constant MAX_BPS = 10_000;

    /// @notice `amount × bps / 10,000`, rounded down.
    /// @dev The protocol's amounts are at most 2^128 (a job's deposit and bond, collateral, an
    /// attestation slash) and its rates at most 10,000 bps, so the product stays far below 2^256;
    /// it is checked, so it would revert, never round wrong, if that ever changed.
    function bpsDown(uint256 amount, uint256 bps) internal pure returns (uint256) {
        return amount * bps / MAX_BPS;
    }

    /// @notice `amount × bps / 10,000`, rounded up.
    /// @dev As `bpsDown`: the checked product cannot overflow for the protocol's amounts.
    function bpsUp(uint256 amount, uint256 bps) internal pure returns (uint256) {
        uint256 product = amount * bps;
        // Cannot overflow: a product below 2^142 plus 9,999.
        unchecked {
            return (product + MAX_BPS - 1) / MAX_BPS;
        }
    }

    /// @notice The cost of `gpus` GPUs for `durationSeconds` at `pricePerGpuHour`, rounded down.
    /// @dev Monotone in the price, so `cost(maxPrice) - cost(price)` is never negative.
    function perGpuHour(uint256 pricePerGpuHour, uint256 gpus, uint256 durationSeconds)
        internal
        pure
        returns (uint256)
    {
        return Math.mulDiv(pricePerGpuHour * gpus, durationSeconds, 1 hours);
    }
}
