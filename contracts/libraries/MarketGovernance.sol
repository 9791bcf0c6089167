// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IJobMarket} from "../../interfaces/IJobMarket.sol";
import {BasisPoints} from "./BasisPoints.sol";

/// @title MarketGovernance
/// @notice JobMarket's rarely called governance code: typed, bounded parameters, its addresses
/// and the payment-token allowlist. Deployed once and linked: its functions run by DELEGATECALL on
/// the market's storage, so the market's hot paths pay nothing for the split and the market keeps
/// its room under EIP-170.
/// @dev Every setter checks its bounds in code and emits the market's own event, which the
/// DELEGATECALL logs from the market's address. The market does the role checks.
library MarketGovernance {
    /// @notice JobMarket's numeric parameters and addresses, packed so that each hot path reads
    /// one slot for everything it needs (slot 0) and settlement one more (slot 1).
    /// @dev Widths follow the bounds of `setParameter`: durations ≤ 365 days fit in 32 bits,
    /// the collateral rate ≤ 1e24 in 80 bits.
    struct Params {
        // slot 0: read by bidding, matching, submitting, verdicts, settlement and disputes
        uint80 collateralPerGpuHour;
        uint16 protocolFeeBps;
        uint16 slashBuyerShareBps;
        uint16 disputeBondBps;
        uint32 disputeWindow;
        uint32 attestTimeout;
        uint32 resultGrace;
        uint8 maxBidsPerJob;
        uint8 maxBuyerStrikes;
        // slot 1: read by posting (bidding periods), disputes and settlement (treasury)
        uint32 arbitrationTimeout;
        uint32 minBiddingPeriod;
        uint32 maxBiddingPeriod;
        address treasury;
        // slots 2 and 3
        address verifier;
        address benchmarkRegistry;
    }

    /// @notice The most a protocol fee may be, in basis points.
    uint256 internal constant MAX_PROTOCOL_FEE_BPS = 1_500;
    /// @notice The most a dispute bond may be, as a share of the job's value.
    uint256 internal constant MAX_DISPUTE_BOND_BPS = 5_000;
    /// @notice The most collateral per GPU-hour, in staking-token units.
    uint256 internal constant MAX_COLLATERAL_PER_GPU_HOUR = 1e24;
    /// @notice The most bids one job may hold (bounds the gas of `closeAuction`).
    uint256 internal constant MAX_BIDS_PER_JOB = 64;

    /// @notice The defaults a new market starts with.
    function initialize(Params storage p, address treasury) internal {
        p.collateralPerGpuHour = 10 ether;
        p.protocolFeeBps = 500;
        p.slashBuyerShareBps = 5_000;
        p.disputeBondBps = 1_000;
        p.disputeWindow = 24 hours;
        p.attestTimeout = 6 hours;
        p.resultGrace = 1 hours;
        p.maxBidsPerJob = 32;
        p.maxBuyerStrikes = 3;
        p.arbitrationTimeout = 14 days;
        p.minBiddingPeriod = 1 minutes;
        p.maxBiddingPeriod = 30 days;
        p.treasury = treasury;
    }

    /// @notice Sets a numeric parameter within its bounds and emits `ParameterUpdated`.
    /// @dev Names and bounds: protocolFeeBps (≤ 1500), slashBuyerShareBps (≤ 10000),
    /// disputeBondBps (≤ 5000), collateralPerGpuHour (≤ 1e24), disputeWindow (≥ 1 hour) and
    /// attestTimeout (≥ 10 minutes), whose sum must stay below `unbondingPeriod`, resultGrace
    /// (1 minute..7 days), arbitrationTimeout (1..180 days), minBiddingPeriod (1..max),
    /// maxBiddingPeriod (min..365 days), maxBidsPerJob (1..64), maxBuyerStrikes (1..100).
    /// @param p The market's parameters.
    /// @param name The parameter's name.
    /// @param value The new value.
    /// @param unbondingPeriod The registry's unbonding period, which bounds the two windows.
    function setParameter(Params storage p, bytes32 name, uint256 value, uint256 unbondingPeriod) external {
        if (name == "protocolFeeBps") {
            p.protocolFeeBps = uint16(_bounded(name, value, 0, MAX_PROTOCOL_FEE_BPS));
        } else if (name == "slashBuyerShareBps") {
            p.slashBuyerShareBps = uint16(_bounded(name, value, 0, BasisPoints.MAX_BPS));
        } else if (name == "disputeBondBps") {
            p.disputeBondBps = uint16(_bounded(name, value, 0, MAX_DISPUTE_BOND_BPS));
        } else if (name == "collateralPerGpuHour") {
            p.collateralPerGpuHour = uint80(_bounded(name, value, 0, MAX_COLLATERAL_PER_GPU_HOUR));
        } else if (name == "disputeWindow") {
            p.disputeWindow = uint32(_bounded(name, value, 1 hours, _windowRoom(unbondingPeriod, p.attestTimeout)));
        } else if (name == "attestTimeout") {
            p.attestTimeout = uint32(_bounded(name, value, 10 minutes, _windowRoom(unbondingPeriod, p.disputeWindow)));
        } else if (name == "resultGrace") {
            p.resultGrace = uint32(_bounded(name, value, 1 minutes, 7 days));
        } else if (name == "arbitrationTimeout") {
            p.arbitrationTimeout = uint32(_bounded(name, value, 1 days, 180 days));
        } else if (name == "minBiddingPeriod") {
            p.minBiddingPeriod = uint32(_bounded(name, value, 1, p.maxBiddingPeriod));
        } else if (name == "maxBiddingPeriod") {
            p.maxBiddingPeriod = uint32(_bounded(name, value, p.minBiddingPeriod, 365 days));
        } else if (name == "maxBidsPerJob") {
            p.maxBidsPerJob = uint8(_bounded(name, value, 1, MAX_BIDS_PER_JOB));
        } else if (name == "maxBuyerStrikes") {
            p.maxBuyerStrikes = uint8(_bounded(name, value, 1, 100));
        } else {
            revert IJobMarket.JobMarketUnknownParameter(name);
        }
        emit IJobMarket.ParameterUpdated(name, value);
    }

    /// @notice Sets "treasury", "verifier" or "benchmarkRegistry" and emits `AddressUpdated`.
    /// @param p The market's parameters.
    /// @param name The address's name.
    /// @param value The new address (non-zero).
    function setAddress(Params storage p, bytes32 name, address value) external {
        if (value == address(0)) revert IJobMarket.JobMarketZeroAddress();
        if (name == "treasury") p.treasury = value;
        else if (name == "verifier") p.verifier = value;
        else if (name == "benchmarkRegistry") p.benchmarkRegistry = value;
        else revert IJobMarket.JobMarketUnknownParameter(name);
        emit IJobMarket.AddressUpdated(name, value);
    }

    /// @notice Allowlists a payment token (or removes it) with its minimum dispute bond, at most
    /// 2^128 − 1 units (a job's bond is stored in 128 bits), and emits `TokenConfigured`.
    /// @param tokens The market's token settings.
    /// @param token The token (non-zero).
    /// @param allowed Whether new jobs may use it.
    /// @param disputeBondMin Minimum dispute bond, in the token's units.
    function configureToken(
        mapping(address => IJobMarket.TokenConfig) storage tokens,
        address token,
        bool allowed,
        uint256 disputeBondMin
    ) external {
        if (token == address(0)) revert IJobMarket.JobMarketZeroAddress();
        _bounded("disputeBondMin", disputeBondMin, 0, type(uint128).max);
        tokens[token] = IJobMarket.TokenConfig({allowed: allowed, disputeBondMin: disputeBondMin});
        emit IJobMarket.TokenConfigured(token, allowed, disputeBondMin);
    }

    /// @dev The most one of the two windows may be, given the other: their sum stays below the
    /// registry's unbonding period, so stake cannot leave before a fault can be acted on.
    function _windowRoom(uint256 unbonding, uint256 otherWindow) private pure returns (uint256) {
        return unbonding > otherWindow + 1 ? unbonding - otherWindow - 1 : 0;
    }

    function _bounded(bytes32 name, uint256 value, uint256 min, uint256 max) private pure returns (uint256) {
        if (value < min || value > max) revert IJobMarket.JobMarketParameterOutOfBounds(name, value, min, max);
        return value;
    }
}
