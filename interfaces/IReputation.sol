// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IReputation
/// @notice On-chain track record of providers and buyers, written only by the protocol contracts.
interface IReputation {
    /// @notice A provider's record.
    struct ProviderRecord {
        uint32 completed;
        uint32 failed;
        uint32 slashed;
        uint32 disputesLost;
        // Settled jobs worth at least their token's `minCreditedValue`: the only successes the
        // score counts (a job below it is recorded in `completed` and the volume, nothing else).
        uint32 credited;
        uint64 lastVerifiedTops;
        uint64 bestVerifiedTops;
        uint64 topsVerifiedAt;
    }

    /// @notice A buyer's record.
    struct BuyerRecord {
        uint32 jobsPosted;
        uint32 disputesWon;
        uint32 disputesLost;
        uint32 strikes;
        bool blacklisted;
    }

    /// @notice A settled job; `credited`: it counts toward the provider's score.
    event JobCompleted(address indexed provider, address indexed token, uint256 volume, bool credited);
    /// @notice A parameter changed: per token (`minCreditedValue`), or for every provider
    /// (`maxTopsAge`, with `token` zero).
    event ParameterUpdated(bytes32 indexed name, address indexed token, uint256 value);
    event JobFailed(address indexed provider);
    event ProviderSlashed(address indexed provider);
    event ProviderDisputeLost(address indexed provider);
    event TopsVerified(address indexed provider, uint64 tops);
    /// @notice A provider's last verified TOPS no longer count: a fraud was proven on an
    /// attestation, or the attestation that recorded them released its bond.
    event VerifiedTopsCleared(address indexed provider, uint64 tops);
    event BuyerJobPosted(address indexed buyer);
    event BuyerDisputeSettled(address indexed buyer, bool won, uint32 strikes);
    event BuyerBlacklisted(address indexed buyer);

    error ReputationZeroAddress();
    error ReputationParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    error ReputationUnknownParameter(bytes32 name);

    function recordSuccess(address provider, address token, uint256 jobVolume) external;
    function recordFailure(address provider) external;
    function recordSlash(address provider) external;
    function recordProviderDisputeLost(address provider) external;
    function recordVerifiedTops(address provider, uint64 tops) external;
    /// @notice Clears `provider`'s last verified TOPS if they were verified at or before
    /// `verifiedUpTo` (a later attestation's are kept).
    function clearVerifiedTops(address provider, uint64 verifiedUpTo) external;
    /// @notice Seconds verified TOPS count after their verdict (`verifiedAt + maxTopsAge >= now`).
    function maxTopsAge() external view returns (uint64);
    function recordJobPosted(address buyer) external;
    function recordBuyerDispute(address buyer, bool won, uint32 maxStrikes) external returns (bool blacklisted);

    function score(address provider) external view returns (uint256);
    function minCreditedValue(address token) external view returns (uint256);
    function isCredited(address token, uint256 jobValue) external view returns (bool);
    function providerRecord(address account) external view returns (ProviderRecord memory);
    function buyerRecord(address account) external view returns (BuyerRecord memory);
    function volume(address provider, address token) external view returns (uint256);
    function isBlacklisted(address buyer) external view returns (bool);
    /// @notice The provider's verified TOPS that count now: the last verified, while no older
    /// than `maxTopsAge`; 0 when stale, cleared or never verified.
    function verifiedTops(address provider) external view returns (uint64);
    /// @notice `score` and `verifiedTops` of a provider in one call (one storage read, two more
    /// only for a provider with TOPS): what the market's eligibility check and auction ranking
    /// need.
    function standing(address provider) external view returns (uint256 scoreBps, uint64 tops);
}
