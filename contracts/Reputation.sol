// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IReputation} from "../interfaces/IReputation.sol";

/// @title Reputation
/// @notice Per-provider and per-buyer track records. Only WRITER_ROLE (the market and the
/// benchmark registry) writes; everyone reads, and the market filters bids on it.
contract Reputation is IReputation, AccessControlDefaultAdminRules {
    /// @notice Role of the contracts that may write records.
    bytes32 public constant WRITER_ROLE = keccak256("WRITER_ROLE");

    mapping(address => ProviderRecord) private _providers;
    mapping(address => BuyerRecord) private _buyers;
    mapping(address => mapping(address => uint256)) private _volume;

    /// @param adminDelay Delay of a DEFAULT_ADMIN transfer, in seconds.
    /// @param admin The initial default admin (governance).
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {}

    /// @notice Records a settled job and its volume in `token` units.
    /// @param provider The provider paid.
    /// @param token The job's payment token.
    /// @param jobVolume The job's value.
    function recordSuccess(address provider, address token, uint256 jobVolume) external onlyRole(WRITER_ROLE) {
        _providers[provider].completed += 1;
        _volume[provider][token] += jobVolume;
        emit JobCompleted(provider, token, jobVolume);
    }

    /// @notice Records a failed job (timeout, failed verdict, lost dispute).
    /// @param provider The provider at fault.
    function recordFailure(address provider) external onlyRole(WRITER_ROLE) {
        _providers[provider].failed += 1;
        emit JobFailed(provider);
    }

    /// @notice Records a slash.
    /// @param provider The provider slashed.
    function recordSlash(address provider) external onlyRole(WRITER_ROLE) {
        _providers[provider].slashed += 1;
        emit ProviderSlashed(provider);
    }

    /// @notice Records a dispute the provider lost.
    /// @param provider The provider at fault.
    function recordProviderDisputeLost(address provider) external onlyRole(WRITER_ROLE) {
        _providers[provider].disputesLost += 1;
        emit ProviderDisputeLost(provider);
    }

    /// @notice Records a verified throughput measurement.
    /// @param provider The provider measured.
    /// @param tops The verified throughput in TOPS.
    function recordVerifiedTops(address provider, uint64 tops) external onlyRole(WRITER_ROLE) {
        ProviderRecord storage record = _providers[provider];
        record.lastVerifiedTops = tops;
        if (tops > record.bestVerifiedTops) record.bestVerifiedTops = tops;
        record.topsVerifiedAt = uint64(block.timestamp);
        emit TopsVerified(provider, tops);
    }

    /// @notice Records a posted job.
    /// @param buyer The buyer who posted it.
    function recordJobPosted(address buyer) external onlyRole(WRITER_ROLE) {
        _buyers[buyer].jobsPosted += 1;
        emit BuyerJobPosted(buyer);
    }

    /// @notice Records a resolved dispute from the buyer's side; a lost one is a strike.
    /// @param buyer The buyer who opened the dispute.
    /// @param won Whether the buyer won.
    /// @param maxStrikes Strikes at which the buyer is blacklisted.
    /// @return blacklisted Whether the buyer is now blacklisted.
    function recordBuyerDispute(address buyer, bool won, uint32 maxStrikes)
        external
        onlyRole(WRITER_ROLE)
        returns (bool blacklisted)
    {
        BuyerRecord storage record = _buyers[buyer];
        if (won) {
            record.disputesWon += 1;
        } else {
            record.disputesLost += 1;
            record.strikes += 1;
        }
        emit BuyerDisputeSettled(buyer, won, record.strikes);
        if (!record.blacklisted && record.strikes >= maxStrikes) {
            record.blacklisted = true;
            emit BuyerBlacklisted(buyer);
        }
        return record.blacklisted;
    }

    /// @notice Success rate in basis points, `(c + 1) × 10000 / (c + 3f + 2)`: a Bayesian estimate
    /// that weighs a failure three times. A new provider scores 5,000.
    /// @param provider The provider.
    /// @return The score in basis points.
    function score(address provider) external view returns (uint256) {
        return _score(_providers[provider]);
    }

    /// @inheritdoc IReputation
    function standing(address provider) external view returns (uint256 scoreBps, uint64 tops) {
        ProviderRecord storage record = _providers[provider];
        return (_score(record), record.lastVerifiedTops);
    }

    function _score(ProviderRecord storage record) private view returns (uint256) {
        uint256 completed = record.completed;
        return (completed + 1) * 10_000 / (completed + 3 * uint256(record.failed) + 2);
    }

    /// @notice A provider's full record.
    function providerRecord(address account) external view returns (ProviderRecord memory) {
        return _providers[account];
    }

    /// @notice A buyer's full record.
    function buyerRecord(address account) external view returns (BuyerRecord memory) {
        return _buyers[account];
    }

    /// @notice Settled volume of `provider` in `token` units.
    function volume(address provider, address token) external view returns (uint256) {
        return _volume[provider][token];
    }

    /// @notice Whether `buyer` may no longer post jobs.
    function isBlacklisted(address buyer) external view returns (bool) {
        return _buyers[buyer].blacklisted;
    }

    /// @notice The last verified throughput of `provider`, in TOPS (0 if never verified).
    function verifiedTops(address provider) external view returns (uint64) {
        return _providers[provider].lastVerifiedTops;
    }
}
