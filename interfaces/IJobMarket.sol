// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IJobMarket
/// @notice Job orders, auctions and direct assignment, escrow, settlement and disputes.
interface IJobMarket {
    /// @notice Lifecycle. Only ever moves forward; SETTLED, FAILED and CANCELLED are final.
    enum JobState {
        NONE,
        OPEN,
        RUNNING,
        SUBMITTED,
        VERIFIED,
        DISPUTED,
        SETTLED,
        FAILED,
        CANCELLED
    }

    /// @notice Why escrowed tokens left the market (see `EscrowReleased`).
    enum Payout {
        NONE,
        REFUND,
        PROVIDER,
        FEE,
        BOND,
        // Value the provider forfeits to the treasury when a dispute times out unruled
        FORFEIT
    }

    /// @notice Why a provider may not take a job now (`eligibilityOf`), in the order the market
    /// checks: the buyer itself, then the registry's reasons (`IProviderRegistry.Unfit`, in the
    /// same order and shifted by one), then the job's reputation and verified-TOPS filters.
    enum Ineligibility {
        NONE,
        IS_BUYER,
        NOT_REGISTERED,
        STAKE_BELOW_MINIMUM,
        JAILED,
        NO_PRICE_IN_TOKEN,
        GPU_MODEL,
        REGION,
        VRAM,
        FREE_GPUS,
        FREE_STAKE,
        REPUTATION,
        VERIFIED_TOPS
    }

    /// @notice What the buyer asks for.
    struct JobSpec {
        bytes32 gpuModel; // 0: any model
        uint16 gpuCount;
        uint32 minVramGiB;
        bytes2 region; // 0: any region
        uint32 duration; // seconds
        // The collateral per GPU-hour the buyer asks the provider to lock, in staking-token units:
        // what a failure slashes should match what the buyer stands to lose. A match locks the
        // higher of this and the market's floor (`collateralPerGpuHour`); 0 asks for the floor.
        // 80 bits, like the floor (≤ 1.2e24), so a job's collateral fits its 128 bits; beside
        // `gpuCount` and `duration`, in the slot every match and eligibility check reads anyway.
        uint80 collateralPerGpuHour;
        bytes32 workloadHash;
        string workloadURI; // container image and command, or a built-in kind such as "POGEMM"
        uint16 minReputationBps;
        uint64 minVerifiedTops;
        bool benchmarkRequired;
        uint32 benchmarkN;
        uint32 benchmarkT;
        uint32 benchmarkK;
    }

    /// @notice A job's money and timeline. `escrow` is what the market still holds for it.
    struct Job {
        address buyer;
        JobState state;
        uint64 biddingEnds;
        address token;
        uint64 startedAt;
        address provider; // set at post for a direct assignment, else at the match
        uint64 submittedAt;
        uint64 windowStart; // start of the dispute window (verdict time or optimistic start)
        uint64 disputedAt;
        uint256 maxPrice;
        uint256 price;
        uint256 deposit;
        uint256 escrow;
        uint256 collateral;
        uint256 bond;
        bytes32 resultHash;
    }

    /// @notice A bid. `seq` orders equal prices and reputations: the earlier price wins.
    struct Bid {
        address provider;
        uint64 seq;
        uint256 price;
    }

    /// @notice Per-token escrow settings of an allowlisted payment token.
    struct TokenConfig {
        bool allowed;
        uint256 disputeBondMin;
    }

    event JobPosted(
        uint256 indexed jobId, address indexed buyer, address indexed token, uint256 deposit, uint256 maxPrice, address provider
    );
    event BidPlaced(uint256 indexed jobId, address indexed provider, uint256 price);
    /// @notice A full book took a lower bid in place of its worst one (highest price, then latest).
    event BidEvicted(uint256 indexed jobId, address indexed provider, uint256 price);
    /// @notice The lowest bid's bidder was not eligible when the auction closed: it forfeited
    /// `amount` of its stake to the buyer (and the registry jailed it).
    event BidForfeited(uint256 indexed jobId, address indexed provider, uint256 amount);
    event JobMatched(uint256 indexed jobId, address indexed provider, uint256 price, uint256 value, uint256 collateral);
    event ResultSubmitted(uint256 indexed jobId, address indexed provider, bytes32 resultHash, string resultURI);
    event VerdictRecorded(uint256 indexed jobId, bool ok);
    event JobSettled(uint256 indexed jobId, address indexed provider, uint256 payout, uint256 fee);
    event JobFailed(uint256 indexed jobId, address indexed provider, uint256 refund, uint256 slashed);
    event JobCancelled(uint256 indexed jobId);
    event DisputeOpened(uint256 indexed jobId, address indexed buyer, uint256 bond);
    event DisputeResolved(uint256 indexed jobId, bool providerAtFault);
    /// @notice A dispute the arbiter left open past its timeout settled: buyer and provider each
    /// forfeited `forfeit` (`min(bond, value)`) to the treasury.
    event ArbitrationTimedOut(uint256 indexed jobId, uint256 forfeit);
    event EscrowDeposited(uint256 indexed jobId, address indexed from, address indexed token, uint256 amount);
    event EscrowReleased(uint256 indexed jobId, address indexed to, address indexed token, uint256 amount, Payout kind);
    event PayoutDeferred(uint256 indexed jobId, address indexed to, address indexed token, uint256 amount);
    event Claimed(address indexed account, address indexed token, address to, uint256 amount);
    event TokenConfigured(address indexed token, bool allowed, uint256 disputeBondMin);
    event ParameterUpdated(bytes32 indexed name, uint256 value);
    event AddressUpdated(bytes32 indexed name, address value);
    /// @notice A change to a job term wrote terms version `termsId`: jobs matched from now on
    /// settle under it, jobs matched before under the version they were matched under.
    event TermsVersioned(uint256 indexed termsId);

    error JobMarketZeroAddress();
    error JobMarketUnknownJob(uint256 jobId);
    error JobMarketWrongState(uint256 jobId, JobState state);
    error JobMarketTokenNotAllowed(address token);
    error JobMarketFeeOnTransfer(address token, uint256 expected, uint256 received);
    error JobMarketInvalidSpec();
    error JobMarketNoBenchmarkRegistry();
    error JobMarketInvalidPrice(uint256 price, uint256 maxPrice);
    error JobMarketInvalidBiddingPeriod(uint256 period);
    error JobMarketBuyerBlacklisted(address buyer);
    error JobMarketNotBuyer(uint256 jobId, address caller);
    error JobMarketNotProvider(uint256 jobId, address caller);
    error JobMarketDirectAssignment(uint256 jobId);
    error JobMarketBiddingClosed(uint256 jobId, uint64 biddingEnds);
    error JobMarketBiddingOpen(uint256 jobId, uint64 biddingEnds);
    error JobMarketTooManyBids(uint256 jobId, uint256 max);
    error JobMarketBidNotLower(uint256 jobId, uint256 current, uint256 offered);
    error JobMarketNotEligible(uint256 jobId, address provider);
    error JobMarketNoBid(uint256 jobId, address provider);
    error JobMarketHasBids(uint256 jobId);
    error JobMarketDeadlinePassed(uint256 jobId, uint64 deadline);
    error JobMarketDeadlineNotReached(uint256 jobId, uint64 deadline);
    error JobMarketNotVerifier(address caller);
    error JobMarketNotBenchmarkRegistry(address caller);
    error JobMarketNothingToClaim(address account, address token);
    error JobMarketUnknownParameter(bytes32 name);
    error JobMarketParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice Every terms version id (65,535 changes of job terms) has been used.
    error JobMarketTermsExhausted();

    function postJob(JobSpec calldata spec, address token, uint256 maxPricePerGpuHour, uint64 biddingPeriod, address provider)
        external
        returns (uint256 jobId);
    function bid(uint256 jobId, uint256 pricePerGpuHour) external;
    function acceptBid(uint256 jobId, address provider) external;
    function closeAuction(uint256 jobId) external;
    function acceptJob(uint256 jobId) external;
    function cancel(uint256 jobId) external;
    function submitResult(uint256 jobId, bytes32 resultHash, string calldata resultURI) external;
    function recordVerdict(uint256 jobId, bool ok) external;
    function finalize(uint256 jobId) external;
    function claimTimeout(uint256 jobId) external;
    function dispute(uint256 jobId) external;
    function resolveDispute(uint256 jobId, bool providerAtFault) external;
    function claim(address token, address to) external returns (uint256 amount);

    function jobOf(uint256 jobId) external view returns (Job memory);
    function specOf(uint256 jobId) external view returns (JobSpec memory);
    function bidsOf(uint256 jobId) external view returns (Bid[] memory);
    function claimable(address token, address account) external view returns (uint256);
    function costOf(uint256 pricePerGpuHour, uint16 gpus, uint32 duration) external pure returns (uint256);
    function disputeWindow() external view returns (uint64);
    function attestTimeout() external view returns (uint64);

    /// @notice Why `provider` may not bid on (or be matched to) job `jobId` now; NONE if it may.
    function eligibilityOf(uint256 jobId, address provider) external view returns (Ineligibility);
    /// @notice The collateral the job locks: what its match locked, or before the match what a
    /// match would lock now (the higher of the spec's and the market's rate per GPU-hour, times
    /// GPUs and hours, plus a benchmark job's fraud bounty).
    function collateralOf(uint256 jobId) external view returns (uint256);
    /// @notice The bond `dispute` would pull now: `max(disputeBondMin, disputeBondBps of value)`.
    function disputeBondOf(uint256 jobId) external view returns (uint256);
    /// @notice The last second a result may be submitted (`start + duration + resultGrace`);
    /// 0 before the match.
    function resultDeadlineOf(uint256 jobId) external view returns (uint64);
    /// @notice The end of the dispute window: disputes before it, `finalize` from it; 0 before a
    /// result.
    function windowEndOf(uint256 jobId) external view returns (uint64);
    /// @notice When anyone may settle an open dispute without the arbiter; 0 if not disputed.
    function arbitrationEndOf(uint256 jobId) external view returns (uint64);
}
