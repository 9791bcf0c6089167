// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IReputation} from "../interfaces/IReputation.sol";

/// @title Reputation
/// @notice Per-provider and per-buyer track records. Only WRITER_ROLE (the market and the
/// benchmark registry) writes; everyone reads, and the market filters bids on it.
/// @dev A provider's score counts only settled jobs worth at least their token's
/// `minCreditedValue` (set by GOVERNOR_ROLE; zero, the default, credits no job in that token).
/// A provider that buys its own jobs from a second account gets the value back and loses only
/// the protocol fee, so each credited job costs at least the fee on the minimum: reputation
/// cannot be washed with dust jobs. Verified TOPS count for `maxTopsAge` after their verdict (a
/// governance parameter): an attestation bonds them for that long (BenchmarkRegistry).
contract Reputation is IReputation, AccessControlDefaultAdminRules {
    /// @notice Role of the contracts that may write records.
    bytes32 public constant WRITER_ROLE = keccak256("WRITER_ROLE");
    /// @notice Role that sets each token's `minCreditedValue`.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice The most `minCreditedValue` may be: a job's value is stored in 128 bits.
    uint256 public constant MAX_MIN_CREDITED_VALUE = type(uint128).max;
    /// @notice Bounds of `maxTopsAge`.
    uint64 public constant MIN_MAX_TOPS_AGE = 1 days;
    uint64 public constant MAX_MAX_TOPS_AGE = 365 days;

    /// @inheritdoc IReputation
    uint64 public maxTopsAge = 30 days;

    mapping(address => ProviderRecord) private _providers;
    mapping(address => BuyerRecord) private _buyers;
    mapping(address => mapping(address => uint256)) private _volume;
    mapping(address => uint256) private _minCreditedValue;

    /// @param adminDelay Delay of a DEFAULT_ADMIN transfer, in seconds.
    /// @param admin The initial default admin (governance); also gets GOVERNOR_ROLE.
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {
        _grantRole(GOVERNOR_ROLE, admin);
    }

    /// @notice Sets the least value, in `token` units, a settled job must have to count toward
    /// its provider's score, and emits `ParameterUpdated("minCreditedValue", token, value)`.
    /// Zero credits no job in the token. Applies to jobs settled from now on.
    /// @dev Only GOVERNOR_ROLE. Bounds: 0 – 2^128 − 1.
    /// @param token The payment token (non-zero).
    /// @param value The minimum, in the token's units.
    function setMinCreditedValue(address token, uint256 value) external onlyRole(GOVERNOR_ROLE) {
        if (token == address(0)) revert ReputationZeroAddress();
        if (value > MAX_MIN_CREDITED_VALUE) {
            revert ReputationParameterOutOfBounds("minCreditedValue", value, 0, MAX_MIN_CREDITED_VALUE);
        }
        _minCreditedValue[token] = value;
        emit ParameterUpdated("minCreditedValue", token, value);
    }

    /// @notice Sets "maxTopsAge": seconds verified TOPS count after their verdict, and so how
    /// long a passed attestation's bond stays locked. Emits `ParameterUpdated(name, 0, value)`.
    /// Applies at once to TOPS already recorded, and to the bonds still locked behind them.
    /// @dev Only GOVERNOR_ROLE. Bounds: 1 – 365 days.
    /// @param name The parameter's name.
    /// @param value The new value, in seconds.
    function setParameter(bytes32 name, uint256 value) external onlyRole(GOVERNOR_ROLE) {
        if (name != "maxTopsAge") revert ReputationUnknownParameter(name);
        if (value < MIN_MAX_TOPS_AGE || value > MAX_MAX_TOPS_AGE) {
            revert ReputationParameterOutOfBounds(name, value, MIN_MAX_TOPS_AGE, MAX_MAX_TOPS_AGE);
        }
        maxTopsAge = uint64(value);
        emit ParameterUpdated(name, address(0), value);
    }

    /// @notice Records a settled job and its volume in `token` units; it counts toward the score
    /// (`credited`) only if `isCredited(token, jobVolume)`.
    /// @param provider The provider paid.
    /// @param token The job's payment token.
    /// @param jobVolume The job's value.
    function recordSuccess(address provider, address token, uint256 jobVolume) external onlyRole(WRITER_ROLE) {
        ProviderRecord storage record = _providers[provider];
        bool credited = isCredited(token, jobVolume);
        record.completed += 1;
        if (credited) record.credited += 1;
        _volume[provider][token] += jobVolume;
        emit JobCompleted(provider, token, jobVolume, credited);
    }

    /// @notice Whether a settled job of `jobValue` in `token` counts toward the score: the
    /// token's minimum is set (non-zero) and the value reaches it.
    function isCredited(address token, uint256 jobValue) public view returns (bool) {
        uint256 minimum = _minCreditedValue[token];
        return minimum != 0 && jobValue >= minimum;
    }

    /// @notice The least value, in `token` units, of a job that counts toward a score (0: none).
    function minCreditedValue(address token) external view returns (uint256) {
        return _minCreditedValue[token];
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

    /// @inheritdoc IReputation
    /// @dev Only WRITER_ROLE (the benchmark registry: a fraud clears whatever TOPS the provider
    /// has, a released bond only the TOPS its attestation recorded). `bestVerifiedTops` and
    /// `topsVerifiedAt` stay as history.
    function clearVerifiedTops(address provider, uint64 verifiedUpTo) external onlyRole(WRITER_ROLE) {
        ProviderRecord storage record = _providers[provider];
        uint64 tops = record.lastVerifiedTops;
        if (tops == 0 || record.topsVerifiedAt > verifiedUpTo) return;
        record.lastVerifiedTops = 0;
        emit VerifiedTopsCleared(provider, tops);
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

    /// @notice Success rate in basis points, `(c + 1) × 10000 / (c + 3f + 2)`, with `c` the
    /// credited jobs (worth at least their token's `minCreditedValue`) and `f` every failure: a
    /// Bayesian estimate that weighs a failure three times. A new provider scores 5,000.
    /// @param provider The provider.
    /// @return The score in basis points.
    function score(address provider) external view returns (uint256) {
        return _score(_providers[provider]);
    }

    /// @inheritdoc IReputation
    function standing(address provider) external view returns (uint256 scoreBps, uint64 tops) {
        ProviderRecord storage record = _providers[provider];
        return (_score(record), _currentTops(record));
    }

    /// @dev The last verified TOPS while they count (`verifiedAt + maxTopsAge >= now`), else 0.
    /// A provider without TOPS reads one slot, as before expiry existed.
    function _currentTops(ProviderRecord storage record) private view returns (uint64 tops) {
        tops = record.lastVerifiedTops;
        if (tops != 0 && uint256(record.topsVerifiedAt) + maxTopsAge < block.timestamp) tops = 0;
    }

    function _score(ProviderRecord storage record) private view returns (uint256) {
        uint256 credited = record.credited;
        return (credited + 1) * 10_000 / (credited + 3 * uint256(record.failed) + 2);
    }

    /// @notice A provider's full record, as stored: `lastVerifiedTops` stale or not
    /// (`verifiedTops` is what counts now).
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

    /// @inheritdoc IReputation
    function verifiedTops(address provider) external view returns (uint64) {
        return _currentTops(_providers[provider]);
    }
}
