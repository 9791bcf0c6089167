// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title MarketToken
/// @notice The gpumarket protocol token (GMKT, 18 decimals): stake, collateral and a payment token.
/// The whole supply is minted once, at deployment, to `holder`; there is no mint function.
contract MarketToken is ERC20, ERC20Permit {
    /// @notice Mints `supply` (in 18-decimal units) to `holder`.
    /// @param holder The account that receives the fixed supply.
    /// @param supply The total supply, fixed forever.
    constructor(address holder, uint256 supply) ERC20("GPU Market Token", "GMKT") ERC20Permit("GPU Market Token") {
        _mint(holder, supply);
    }
}
