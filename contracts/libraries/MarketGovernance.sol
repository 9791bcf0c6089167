// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IJobMarket} from "../../interfaces/IJobMarket.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {BasisPoints} from "./BasisPoints.sol";

/// @title MarketGovernance
/// @notice JobMarket's rarely called governance code: typed, bounded parameters, its addresses
/// and the payment-token allowlist. Deployed once and linked: its functions run by DELEGATECALL on
/// the market's storage, so the market's hot paths pay nothing for the split and the market keeps
/// its room under EIP-170.
/// @dev Every setter checks its bounds in code and emits the market's own event, which the
/// DELEGATECALL logs from the market's address. The market does the role checks.
library MarketGovernance {
    /// @notice The parameters a matched job settles under, fixed at its match: its fee, the split
    /// of a slash, the fraud bounty beside its collateral and its deadlines. One slot.
    /// @dev Every change to one of them writes a new version (`Params.terms`); a job stores the id
    /// of the version it was matched under, so governance never changes a running job's deal.
    struct Terms {
        uint16 protocolFeeBps;
        uint16 slashBuyerShareBps;
        uint16 disputeBondBps;
        uint16 fraudBountyBps;
        uint32 disputeWindow;
        uint32 attestTimeout;
        uint32 resultGrace;
        uint32 arbitrationTimeout;
    }

    /// @notice JobMarket's numeric parameters and addresses: what posting, bidding and matching
    /// read in one slot (slot 0), the addresses, the current terms and every earlier version.
    /// @dev Widths follow the bounds of `setParameter`: durations ≤ 365 days fit in 32 bits,
    /// the collateral rate ≤ 1e24 in 80 bits. `current` is always equal to `terms[termsId]`.
    struct Params {
        // slot 0: read by posting, bidding and matching, each of which checks the pause here
        uint80 collateralPerGpuHour;
        uint16 fraudBountyBps; // a copy of current.fraudBountyBps: eligibility reads it
        uint16 termsId; // the version of `current`; 65,535 changes at most
        uint32 minBiddingPeriod;
        uint32 maxBiddingPeriod;
        uint8 maxBidsPerJob;
        uint8 maxBuyerStrikes;
        bool paused;
        // what the lowest bidder forfeits, as a share of the collateral, if it is not eligible
        // when the auction closes (read only then)
        uint16 bidForfeitBps;
        // slots 1-3
        address treasury;
        address verifier;
        address benchmarkRegistry;
        // slot 4: the terms a match fixes now
        Terms current;
        // every version of the terms, by id (the current one included)
        mapping(uint256 => Terms) terms;
        // per payment token, every dispute-bond minimum it has had and the terms version from
        // which it applies, oldest first (`configureToken` writes one and a new terms version)
        mapping(address => BondFloor[]) bondFloors;
    }

    /// @notice A payment token's minimum dispute bond from terms version `sinceTermsId` on.
    struct BondFloor {
        uint16 sinceTermsId;
        uint128 disputeBondMin;
    }

    /// @notice The most a protocol fee may be, in basis points.
    uint256 internal constant MAX_PROTOCOL_FEE_BPS = 1_500;
    /// @notice The most a dispute bond may be, as a share of the job's value.
    uint256 internal constant MAX_DISPUTE_BOND_BPS = 5_000;
    /// @notice The most collateral per GPU-hour, in staking-token units.
    uint256 internal constant MAX_COLLATERAL_PER_GPU_HOUR = 1e24;
    /// @notice The most bids one job may hold (bounds the gas of `closeAuction`).
    uint256 internal constant MAX_BIDS_PER_JOB = 64;

    /// @notice The defaults a new market starts with; they are terms version 0.
    function initialize(Params storage p, address treasury) internal {
        p.collateralPerGpuHour = 10 ether;
        p.fraudBountyBps = 5_000;
        p.minBiddingPeriod = 1 minutes;
        p.maxBiddingPeriod = 30 days;
        p.maxBidsPerJob = 32;
        p.maxBuyerStrikes = 3;
        p.bidForfeitBps = 5_000;
        p.treasury = treasury;
        Terms memory t = Terms({
            protocolFeeBps: 500,
            slashBuyerShareBps: 5_000,
            disputeBondBps: 1_000,
            fraudBountyBps: 5_000,
            disputeWindow: 24 hours,
            attestTimeout: 6 hours,
            resultGrace: 1 hours,
            arbitrationTimeout: 14 days
        });
        p.current = t;
        p.terms[0] = t;
    }

    /// @notice Sets a numeric parameter within its bounds and emits `ParameterUpdated`. A change
    /// to one of the job terms (`Terms`) also writes a new terms version and emits
    /// `TermsVersioned`: jobs matched from then on get it, jobs matched before keep theirs.
    /// @dev Names and bounds: protocolFeeBps (≤ 1500), slashBuyerShareBps (≤ 10000),
    /// fraudBountyBps (1..10000), disputeBondBps (≤ 5000), collateralPerGpuHour (≤ 1e24),
    /// disputeWindow (≥ 1 hour) and attestTimeout (≥ 10 minutes), whose sum must stay below
    /// `unbondingPeriod`, resultGrace (1 minute..7 days), arbitrationTimeout (1..180 days),
    /// minBiddingPeriod (1..max), maxBiddingPeriod (min..365 days), maxBidsPerJob (1..64),
    /// maxBuyerStrikes (1..100), bidForfeitBps (1..10000).
    /// @param p The market's parameters.
    /// @param name The parameter's name.
    /// @param value The new value.
    /// @param unbondingPeriod The registry's unbonding period, which bounds the two windows.
    function setParameter(Params storage p, bytes32 name, uint256 value, uint256 unbondingPeriod) external {
        Terms storage t = p.current;
        if (name == "protocolFeeBps") {
            t.protocolFeeBps = uint16(_bounded(name, value, 0, MAX_PROTOCOL_FEE_BPS));
        } else if (name == "slashBuyerShareBps") {
            t.slashBuyerShareBps = uint16(_bounded(name, value, 0, BasisPoints.MAX_BPS));
        } else if (name == "disputeBondBps") {
            t.disputeBondBps = uint16(_bounded(name, value, 0, MAX_DISPUTE_BOND_BPS));
        } else if (name == "fraudBountyBps") {
            t.fraudBountyBps = p.fraudBountyBps = uint16(_bounded(name, value, 1, BasisPoints.MAX_BPS));
        } else if (name == "disputeWindow") {
            t.disputeWindow = uint32(_bounded(name, value, 1 hours, _windowRoom(unbondingPeriod, t.attestTimeout)));
        } else if (name == "attestTimeout") {
            t.attestTimeout = uint32(_bounded(name, value, 10 minutes, _windowRoom(unbondingPeriod, t.disputeWindow)));
        } else if (name == "resultGrace") {
            t.resultGrace = uint32(_bounded(name, value, 1 minutes, 7 days));
        } else if (name == "arbitrationTimeout") {
            t.arbitrationTimeout = uint32(_bounded(name, value, 1 days, 180 days));
        } else {
            _setMarketParameter(p, name, value);
            emit IJobMarket.ParameterUpdated(name, value);
            return;
        }
        emit IJobMarket.ParameterUpdated(name, value);
        _versionTerms(p);
    }

    /// @notice Pauses or unpauses the market and emits Pausable's `Paused` or `Unpaused`.
    /// @dev The flag lives in the slot every pausable entry point reads anyway, so the check
    /// costs no extra storage read. Reverts as OpenZeppelin's Pausable does when the market is
    /// already in the asked state.
    /// @param p The market's parameters.
    /// @param paused Whether the market is to be paused.
    function setPaused(Params storage p, bool paused) external {
        if (paused && p.paused) revert Pausable.EnforcedPause();
        if (!paused && !p.paused) revert Pausable.ExpectedPause();
        p.paused = paused;
        if (paused) emit Pausable.Paused(msg.sender);
        else emit Pausable.Unpaused(msg.sender);
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
    /// 2^128 − 1 units (a job's bond is stored in 128 bits), and emits `TokenConfigured`. The
    /// minimum is one of the job terms: it writes a new terms version, and jobs matched before
    /// keep the minimum they were matched under.
    /// @param p The market's parameters.
    /// @param tokens The market's token settings.
    /// @param token The token (non-zero).
    /// @param allowed Whether new jobs may use it.
    /// @param disputeBondMin Minimum dispute bond, in the token's units.
    function configureToken(
        Params storage p,
        mapping(address => IJobMarket.TokenConfig) storage tokens,
        address token,
        bool allowed,
        uint256 disputeBondMin
    ) external {
        if (token == address(0)) revert IJobMarket.JobMarketZeroAddress();
        _bounded("disputeBondMin", disputeBondMin, 0, type(uint128).max);
        tokens[token] = IJobMarket.TokenConfig({allowed: allowed, disputeBondMin: disputeBondMin});
        emit IJobMarket.TokenConfigured(token, allowed, disputeBondMin);
        uint16 id = _versionTerms(p);
        p.bondFloors[token].push(BondFloor({sinceTermsId: id, disputeBondMin: uint128(disputeBondMin)}));
    }

    /// @notice The minimum dispute bond in `token` under terms version `termsId`: the one set by
    /// the last `configureToken` of the token at or before that version (0 if none was).
    /// @dev A binary search over the token's configurations, so the cost grows with the log of
    /// their number.
    /// @param p The market's parameters.
    /// @param token The payment token.
    /// @param termsId A terms version.
    function bondFloorAt(Params storage p, address token, uint256 termsId) internal view returns (uint256) {
        BondFloor[] storage floors = p.bondFloors[token];
        uint256 low = 0;
        uint256 high = floors.length;
        // Invariant: every entry below `low` applies from at or before `termsId`, none from
        // `high` on does (the versions are increasing).
        while (low < high) {
            uint256 mid = Math.average(low, high);
            if (floors[mid].sinceTermsId <= termsId) low = mid + 1;
            else high = mid;
        }
        return low == 0 ? 0 : floors[low - 1].disputeBondMin;
    }

    /// @dev The parameters that are not job terms: they apply to what is posted, bid on or
    /// matched from now on (a job's collateral is fixed at its match).
    function _setMarketParameter(Params storage p, bytes32 name, uint256 value) private {
        if (name == "collateralPerGpuHour") {
            p.collateralPerGpuHour = uint80(_bounded(name, value, 0, MAX_COLLATERAL_PER_GPU_HOUR));
        } else if (name == "minBiddingPeriod") {
            p.minBiddingPeriod = uint32(_bounded(name, value, 1, p.maxBiddingPeriod));
        } else if (name == "maxBiddingPeriod") {
            p.maxBiddingPeriod = uint32(_bounded(name, value, p.minBiddingPeriod, 365 days));
        } else if (name == "maxBidsPerJob") {
            p.maxBidsPerJob = uint8(_bounded(name, value, 1, MAX_BIDS_PER_JOB));
        } else if (name == "maxBuyerStrikes") {
            p.maxBuyerStrikes = uint8(_bounded(name, value, 1, 100));
        } else if (name == "bidForfeitBps") {
            // Positive: filling an auction's book and walking away always costs the bidder.
            p.bidForfeitBps = uint16(_bounded(name, value, 1, BasisPoints.MAX_BPS));
        } else {
            revert IJobMarket.JobMarketUnknownParameter(name);
        }
    }

    /// @dev Writes the current terms as a new version, which the next match fixes for its job,
    /// and returns its id.
    function _versionTerms(Params storage p) private returns (uint16 id) {
        id = p.termsId;
        if (id == type(uint16).max) revert IJobMarket.JobMarketTermsExhausted();
        p.termsId = ++id;
        p.terms[id] = p.current;
        emit IJobMarket.TermsVersioned(id);
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
