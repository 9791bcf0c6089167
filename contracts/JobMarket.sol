// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IBenchmarkRegistry, IBenchmarkFraudSink} from "../interfaces/IBenchmarkRegistry.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IReputation} from "../interfaces/IReputation.sol";
import {BasisPoints} from "./libraries/BasisPoints.sol";

/// @title JobMarket
/// @notice Buyers post GPU jobs with payment escrowed; providers win them by auction or direct
/// assignment, back them with collateral, and are paid after the dispute window. Every locked fund
/// has a deadline path that anyone can call, and pausing never stops one.
/// @dev Money moves only through `_pullIn` (deposits and bonds) and `_release` (refunds, payouts,
/// fees, bonds), each with its own event. A payout the token refuses becomes a claimable balance.
contract JobMarket is IJobMarket, IBenchmarkFraudSink, AccessControlDefaultAdminRules, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using BasisPoints for uint256;

    /// @notice Role that sets parameters and the token allowlist.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Role that pauses and unpauses.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Role that resolves disputes.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");

    /// @notice Staking, offers and collateral.
    IProviderRegistry public immutable registry;
    /// @notice Track records; filters bids and breaks price ties.
    IReputation public immutable reputation;
    /// @notice Receives protocol fees and its share of slashed collateral.
    address public treasury;
    /// @notice The one address whose verdicts count (the oracle council).
    address public verifier;
    /// @notice Opens PoGEMM challenges for jobs that require a benchmark (zero: none).
    address public benchmarkRegistry;

    /// @notice Protocol fee on a settled job's value, in basis points (default 5%, at most 15%).
    uint256 public protocolFeeBps = 500;
    /// @notice Buyer's share of slashed collateral, in basis points (default 50%).
    uint256 public slashBuyerShareBps = 5_000;
    /// @notice Dispute bond as a share of the job's value, in basis points (default 10%).
    uint256 public disputeBondBps = 1_000;
    /// @notice Collateral per GPU-hour, in staking-token units (default 10 GMKT).
    uint256 public collateralPerGpuHour = 10 ether;
    /// @inheritdoc IJobMarket
    uint64 public disputeWindow = 24 hours;
    /// @inheritdoc IJobMarket
    uint64 public attestTimeout = 6 hours;
    /// @notice Time after `start + duration` within which the result must be submitted.
    uint64 public resultGrace = 1 hours;
    /// @notice Time after a dispute opens after which anyone may settle it without the arbiter.
    uint64 public arbitrationTimeout = 14 days;
    /// @notice Shortest bidding (or acceptance) period.
    uint64 public minBiddingPeriod = 1 minutes;
    /// @notice Longest bidding (or acceptance) period.
    uint64 public maxBiddingPeriod = 30 days;
    /// @notice Bids one job accepts; bounds the gas of `closeAuction`.
    uint32 public maxBidsPerJob = 32;
    /// @notice Lost disputes after which a buyer is blacklisted.
    uint32 public maxBuyerStrikes = 3;

    /// @notice Jobs posted so far; ids start at 1.
    uint256 public jobCount;
    /// @notice Tokens held for open jobs and bonds, per token.
    mapping(address => uint256) public escrowedTotal;
    /// @notice Refused payouts waiting to be claimed, per token.
    mapping(address => uint256) public claimableTotal;
    /// @notice Allowlist and bond minimum per payment token.
    mapping(address => TokenConfig) public tokenConfig;
    /// @notice The benchmark challenge opened when a job was matched (0: none).
    mapping(uint256 => uint256) public challengeOfJob;

    uint64 private _bidSeq;
    mapping(uint256 => Job) private _jobs;
    mapping(uint256 => JobSpec) private _specs;
    mapping(uint256 => Bid[]) private _bids;
    mapping(uint256 => mapping(address => uint256)) private _bidSlot; // index + 1
    mapping(address => mapping(address => uint256)) private _claimable;

    /// @param registry_ The provider registry (this market needs its MARKET_ROLE and SLASHER_ROLE).
    /// @param reputation_ The reputation contract (this market needs its WRITER_ROLE).
    /// @param treasury_ Fee recipient.
    /// @param adminDelay Delay of a DEFAULT_ADMIN transfer, in seconds.
    /// @param admin Initial default admin; also gets GOVERNOR_ROLE and PAUSER_ROLE.
    constructor(IProviderRegistry registry_, IReputation reputation_, address treasury_, uint48 adminDelay, address admin)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        if (address(registry_) == address(0) || address(reputation_) == address(0) || treasury_ == address(0)) {
            revert JobMarketZeroAddress();
        }
        registry = registry_;
        reputation = reputation_;
        treasury = treasury_;
        _grantRole(GOVERNOR_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    modifier onlyKnown(uint256 jobId) {
        if (_jobs[jobId].state == JobState.NONE) revert JobMarketUnknownJob(jobId);
        _;
    }

    // ---------------------------------------------------------------- posting and matching

    /// @notice Posts a job and escrows `maxPrice × gpus × hours` of `token`.
    /// @param spec What the job needs.
    /// @param token An allowlisted payment token; fee-on-transfer tokens are rejected.
    /// @param maxPricePerGpuHour The most the buyer pays per GPU-hour.
    /// @param biddingPeriod Seconds of bidding, or of the direct provider's acceptance window.
    /// @param provider A provider for a direct assignment, or zero for an open auction.
    /// @return jobId The new job's id.
    function postJob(JobSpec calldata spec, address token, uint256 maxPricePerGpuHour, uint64 biddingPeriod, address provider)
        external
        whenNotPaused
        nonReentrant
        returns (uint256 jobId)
    {
        return _postJob(spec, token, maxPricePerGpuHour, biddingPeriod, provider);
    }

    /// @notice `postJob` with an EIP-2612 permit for the deposit, in one transaction.
    /// @dev A failed permit is ignored (it may have been front-run); the transfer then needs the
    /// allowance anyway.
    /// @param spec What the job needs.
    /// @param token An allowlisted payment token that supports permit.
    /// @param maxPricePerGpuHour The most the buyer pays per GPU-hour.
    /// @param biddingPeriod Seconds of bidding or acceptance.
    /// @param provider A direct provider, or zero.
    /// @param deadline Permit deadline.
    /// @param v Permit signature v.
    /// @param r Permit signature r.
    /// @param s Permit signature s.
    /// @return jobId The new job's id.
    function postJobWithPermit(
        JobSpec calldata spec,
        address token,
        uint256 maxPricePerGpuHour,
        uint64 biddingPeriod,
        address provider,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external whenNotPaused nonReentrant returns (uint256 jobId) {
        // Checked before the call: try/catch does not catch a call to an address without code.
        if (!tokenConfig[token].allowed) revert JobMarketTokenNotAllowed(token);
        uint256 deposit = BasisPoints.perGpuHour(maxPricePerGpuHour, spec.gpuCount, spec.duration);
        try IERC20Permit(token).permit(msg.sender, address(this), deposit, deadline, v, r, s) {} catch {}
        return _postJob(spec, token, maxPricePerGpuHour, biddingPeriod, provider);
    }

    /// @notice Bids `pricePerGpuHour` on an open auction, or lowers the caller's own bid.
    /// @param jobId The job.
    /// @param pricePerGpuHour At most the job's max price.
    function bid(uint256 jobId, uint256 pricePerGpuHour) external whenNotPaused nonReentrant onlyKnown(jobId) {
        Job storage job = _jobs[jobId];
        _requireState(jobId, job, JobState.OPEN);
        if (job.provider != address(0)) revert JobMarketDirectAssignment(jobId);
        if (block.timestamp >= job.biddingEnds) revert JobMarketBiddingClosed(jobId, job.biddingEnds);
        if (pricePerGpuHour == 0 || pricePerGpuHour > job.maxPrice) {
            revert JobMarketInvalidPrice(pricePerGpuHour, job.maxPrice);
        }
        if (!_eligible(jobId, job, msg.sender)) revert JobMarketNotEligible(jobId, msg.sender);
        uint256 slot = _bidSlot[jobId][msg.sender];
        if (slot != 0) {
            Bid storage current = _bids[jobId][slot - 1];
            if (pricePerGpuHour >= current.price) revert JobMarketBidNotLower(jobId, current.price, pricePerGpuHour);
            current.price = pricePerGpuHour;
            current.seq = ++_bidSeq;
        } else {
            Bid[] storage bids = _bids[jobId];
            if (bids.length >= maxBidsPerJob) revert JobMarketTooManyBids(jobId, maxBidsPerJob);
            bids.push(Bid({provider: msg.sender, seq: ++_bidSeq, price: pricePerGpuHour}));
            _bidSlot[jobId][msg.sender] = bids.length;
        }
        emit BidPlaced(jobId, msg.sender, pricePerGpuHour);
    }

    /// @notice The buyer accepts `provider`'s bid at any time while the job is open.
    /// @param jobId The job.
    /// @param provider A provider with a bid on it.
    function acceptBid(uint256 jobId, address provider) external nonReentrant onlyKnown(jobId) {
        Job storage job = _jobs[jobId];
        if (msg.sender != job.buyer) revert JobMarketNotBuyer(jobId, msg.sender);
        _requireState(jobId, job, JobState.OPEN);
        uint256 slot = _bidSlot[jobId][provider];
        if (slot == 0) revert JobMarketNoBid(jobId, provider);
        if (!_eligible(jobId, job, provider)) revert JobMarketNotEligible(jobId, provider);
        _match(jobId, job, provider, _bids[jobId][slot - 1].price);
    }

    /// @notice After the bidding period anyone may close the auction: the lowest eligible price
    /// wins, ties go to the higher reputation, then to the earlier bid.
    /// @param jobId The job.
    function closeAuction(uint256 jobId) external nonReentrant onlyKnown(jobId) {
        Job storage job = _jobs[jobId];
        _requireState(jobId, job, JobState.OPEN);
        if (job.provider != address(0)) revert JobMarketDirectAssignment(jobId);
        if (block.timestamp < job.biddingEnds) revert JobMarketBiddingOpen(jobId, job.biddingEnds);
        (bool found, Bid memory best) = _bestEligibleBid(jobId, job);
        if (!found) revert JobMarketNoEligibleBid(jobId);
        _match(jobId, job, best.provider, best.price);
    }

    /// @notice The provider of a direct assignment accepts it at the posted price.
    /// @param jobId The job.
    function acceptJob(uint256 jobId) external whenNotPaused nonReentrant onlyKnown(jobId) {
        Job storage job = _jobs[jobId];
        if (msg.sender != job.provider) revert JobMarketNotProvider(jobId, msg.sender);
        _requireState(jobId, job, JobState.OPEN);
        if (block.timestamp >= job.biddingEnds) revert JobMarketDeadlinePassed(jobId, job.biddingEnds);
        if (!_eligible(jobId, job, msg.sender)) revert JobMarketNotEligible(jobId, msg.sender);
        _match(jobId, job, msg.sender, job.maxPrice);
    }

    /// @notice The buyer cancels an unmatched job for a full refund: at any time with no bids, or
    /// after the bidding period when no bid is eligible any more. Works while paused.
    /// @param jobId The job.
    function cancel(uint256 jobId) external nonReentrant onlyKnown(jobId) {
        Job storage job = _jobs[jobId];
        if (msg.sender != job.buyer) revert JobMarketNotBuyer(jobId, msg.sender);
        _requireState(jobId, job, JobState.OPEN);
        if (_bids[jobId].length != 0) {
            if (block.timestamp < job.biddingEnds) revert JobMarketHasBids(jobId);
            (bool found,) = _bestEligibleBid(jobId, job);
            if (found) revert JobMarketHasBids(jobId);
        }
        job.state = JobState.CANCELLED;
        uint256 refund = job.escrow;
        job.escrow = 0;
        emit JobCancelled(jobId);
        _release(jobId, job.token, job.buyer, refund, Payout.REFUND);
    }

    // ---------------------------------------------------------------- results and settlement

    /// @notice The provider submits the result before `start + duration + resultGrace`.
    /// @param jobId The job.
    /// @param resultHash Hash of the result artifact.
    /// @param resultURI Where the artifact can be fetched.
    function submitResult(uint256 jobId, bytes32 resultHash, string calldata resultURI)
        external
        nonReentrant
        onlyKnown(jobId)
    {
        Job storage job = _jobs[jobId];
        if (msg.sender != job.provider) revert JobMarketNotProvider(jobId, msg.sender);
        _requireState(jobId, job, JobState.RUNNING);
        uint64 deadline = _resultDeadline(jobId, job);
        if (block.timestamp > deadline) revert JobMarketDeadlinePassed(jobId, deadline);
        job.state = JobState.SUBMITTED;
        job.submittedAt = uint64(block.timestamp);
        job.resultHash = resultHash;
        // A job that needs a verdict waits `attestTimeout` for one before settling optimistically.
        job.windowStart = uint64(block.timestamp) + (_specs[jobId].benchmarkRequired ? attestTimeout : 0);
        emit ResultSubmitted(jobId, msg.sender, resultHash, resultURI);
    }

    /// @notice The verifier's verdict on a submitted job. `ok` starts the dispute window at once;
    /// a failure refunds the buyer and slashes the provider's collateral.
    /// @dev Only `verifier`, and only before the job could be finalized.
    /// @param jobId The job.
    /// @param ok Whether the work was verified.
    function recordVerdict(uint256 jobId, bool ok) external nonReentrant onlyKnown(jobId) {
        if (msg.sender != verifier) revert JobMarketNotVerifier(msg.sender);
        Job storage job = _jobs[jobId];
        _requireState(jobId, job, JobState.SUBMITTED);
        uint64 windowEnd = job.windowStart + disputeWindow;
        if (block.timestamp >= windowEnd) revert JobMarketDeadlinePassed(jobId, windowEnd);
        emit VerdictRecorded(jobId, ok);
        if (ok) {
            job.state = JobState.VERIFIED;
            job.windowStart = uint64(block.timestamp);
        } else {
            _fail(jobId, job, treasury);
        }
    }

    /// @notice Anyone settles a job whose dispute window has passed, paying the provider
    /// `value − fee`; or a dispute the arbiter left open for `arbitrationTimeout`, which pays the
    /// provider and returns the buyer's bond. Works while paused.
    /// @param jobId The job.
    function finalize(uint256 jobId) external nonReentrant onlyKnown(jobId) {
        Job storage job = _jobs[jobId];
        JobState state = job.state;
        if (state == JobState.SUBMITTED || state == JobState.VERIFIED) {
            uint64 windowEnd = job.windowStart + disputeWindow;
            if (block.timestamp < windowEnd) revert JobMarketDeadlineNotReached(jobId, windowEnd);
            _settle(jobId, job);
        } else if (state == JobState.DISPUTED) {
            uint64 timeoutAt = job.disputedAt + arbitrationTimeout;
            if (block.timestamp < timeoutAt) revert JobMarketDeadlineNotReached(jobId, timeoutAt);
            uint256 bond = job.bond;
            job.bond = 0;
            _settle(jobId, job);
            _release(jobId, job.token, job.buyer, bond, Payout.BOND);
        } else {
            revert JobMarketWrongState(jobId, state);
        }
    }

    /// @notice Anyone fails a running job whose result deadline has passed: the buyer is refunded
    /// and compensated from the provider's collateral. Works while paused.
    /// @param jobId The job.
    function claimTimeout(uint256 jobId) external nonReentrant onlyKnown(jobId) {
        Job storage job = _jobs[jobId];
        _requireState(jobId, job, JobState.RUNNING);
        uint64 deadline = _resultDeadline(jobId, job);
        if (block.timestamp <= deadline) revert JobMarketDeadlineNotReached(jobId, deadline);
        _fail(jobId, job, treasury);
    }

    /// @notice A fraud proven on the job's benchmark (BenchmarkRegistry only): the job fails at
    /// once, the buyer is refunded (with a dispute bond, if any) and gets its share of the
    /// collateral, and the prover gets the rest as a finder's fee. Works while paused.
    /// @param jobId The job.
    /// @param prover Who proved the fraud.
    /// @return slashed Collateral taken from the provider.
    function onBenchmarkFraud(uint256 jobId, address prover)
        external
        nonReentrant
        onlyKnown(jobId)
        returns (uint256 slashed)
    {
        if (msg.sender != benchmarkRegistry) revert JobMarketNotBenchmarkRegistry(msg.sender);
        Job storage job = _jobs[jobId];
        JobState state = job.state;
        if (state != JobState.RUNNING && state != JobState.SUBMITTED && state != JobState.VERIFIED
            && state != JobState.DISPUTED) revert JobMarketWrongState(jobId, state);
        uint256 bond = job.bond;
        job.bond = 0;
        slashed = _fail(jobId, job, prover);
        _release(jobId, job.token, job.buyer, bond, Payout.BOND);
    }

    // ---------------------------------------------------------------- disputes

    /// @notice The buyer disputes a submitted or verified job within its window, posting a bond
    /// of `max(disputeBondMin, disputeBondBps of value)` in the job's token.
    /// @param jobId The job.
    function dispute(uint256 jobId) external nonReentrant onlyKnown(jobId) {
        Job storage job = _jobs[jobId];
        if (msg.sender != job.buyer) revert JobMarketNotBuyer(jobId, msg.sender);
        JobState state = job.state;
        if (state != JobState.SUBMITTED && state != JobState.VERIFIED) revert JobMarketWrongState(jobId, state);
        uint64 windowEnd = job.windowStart + disputeWindow;
        if (block.timestamp >= windowEnd) revert JobMarketDeadlinePassed(jobId, windowEnd);
        uint256 bond = Math.max(tokenConfig[job.token].disputeBondMin, job.escrow.bpsUp(disputeBondBps));
        job.state = JobState.DISPUTED;
        job.disputedAt = uint64(block.timestamp);
        job.bond = bond;
        emit DisputeOpened(jobId, msg.sender, bond);
        _pullIn(jobId, job.token, msg.sender, bond);
    }

    /// @notice The arbiter resolves a dispute. Provider at fault: the buyer is refunded and
    /// compensated and gets the bond back. Buyer at fault: the provider is paid and receives the
    /// bond, and the buyer takes a strike (blacklisted at `maxBuyerStrikes`).
    /// @param jobId The job.
    /// @param providerAtFault The arbiter's finding.
    function resolveDispute(uint256 jobId, bool providerAtFault)
        external
        nonReentrant
        onlyRole(ARBITER_ROLE)
        onlyKnown(jobId)
    {
        Job storage job = _jobs[jobId];
        _requireState(jobId, job, JobState.DISPUTED);
        uint256 bond = job.bond;
        job.bond = 0;
        emit DisputeResolved(jobId, providerAtFault);
        if (providerAtFault) {
            reputation.recordProviderDisputeLost(job.provider);
            reputation.recordBuyerDispute(job.buyer, true, maxBuyerStrikes);
            _fail(jobId, job, treasury);
            _release(jobId, job.token, job.buyer, bond, Payout.BOND);
        } else {
            reputation.recordBuyerDispute(job.buyer, false, maxBuyerStrikes);
            _settle(jobId, job);
            _release(jobId, job.token, job.provider, bond, Payout.BOND);
        }
    }

    /// @notice Pays the caller's refused payouts in `token` to `to` (which may differ from the
    /// caller, e.g. when the caller is blacklisted by the token).
    /// @param token The token.
    /// @param to The recipient.
    /// @return amount Token units paid.
    function claim(address token, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert JobMarketZeroAddress();
        amount = _claimable[token][msg.sender];
        if (amount == 0) revert JobMarketNothingToClaim(msg.sender, token);
        _claimable[token][msg.sender] = 0;
        claimableTotal[token] -= amount;
        emit Claimed(msg.sender, token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Sets a numeric parameter, within its bounds.
    /// @dev Only GOVERNOR_ROLE. Names: protocolFeeBps (≤ 1500), slashBuyerShareBps (≤ 10000),
    /// disputeBondBps (≤ 5000), collateralPerGpuHour (≤ 1e24), disputeWindow, attestTimeout
    /// (their sum must stay below the registry's unbonding period), resultGrace, arbitrationTimeout,
    /// minBiddingPeriod, maxBiddingPeriod, maxBidsPerJob (1..64), maxBuyerStrikes (1..100).
    /// @param name The parameter's name.
    /// @param value The new value.
    function setParameter(bytes32 name, uint256 value) external onlyRole(GOVERNOR_ROLE) {
        if (name == "protocolFeeBps") {
            protocolFeeBps = _bounded(name, value, 0, 1_500);
        } else if (name == "slashBuyerShareBps") {
            slashBuyerShareBps = _bounded(name, value, 0, BasisPoints.MAX_BPS);
        } else if (name == "disputeBondBps") {
            disputeBondBps = _bounded(name, value, 0, 5_000);
        } else if (name == "collateralPerGpuHour") {
            collateralPerGpuHour = _bounded(name, value, 0, 1e24);
        } else if (name == "disputeWindow") {
            disputeWindow = uint64(_bounded(name, value, 1 hours, _windowRoom(attestTimeout)));
        } else if (name == "attestTimeout") {
            attestTimeout = uint64(_bounded(name, value, 10 minutes, _windowRoom(disputeWindow)));
        } else if (name == "resultGrace") {
            resultGrace = uint64(_bounded(name, value, 1 minutes, 7 days));
        } else if (name == "arbitrationTimeout") {
            arbitrationTimeout = uint64(_bounded(name, value, 1 days, 180 days));
        } else if (name == "minBiddingPeriod") {
            minBiddingPeriod = uint64(_bounded(name, value, 1, maxBiddingPeriod));
        } else if (name == "maxBiddingPeriod") {
            maxBiddingPeriod = uint64(_bounded(name, value, minBiddingPeriod, 365 days));
        } else if (name == "maxBidsPerJob") {
            maxBidsPerJob = uint32(_bounded(name, value, 1, 64));
        } else if (name == "maxBuyerStrikes") {
            maxBuyerStrikes = uint32(_bounded(name, value, 1, 100));
        } else {
            revert JobMarketUnknownParameter(name);
        }
        emit ParameterUpdated(name, value);
    }

    /// @notice Sets an address: "treasury", "verifier" or "benchmarkRegistry".
    /// @dev Only DEFAULT_ADMIN_ROLE, whose transfer is delayed.
    /// @param name The address's name.
    /// @param value The new address (non-zero).
    function setAddress(bytes32 name, address value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == address(0)) revert JobMarketZeroAddress();
        if (name == "treasury") treasury = value;
        else if (name == "verifier") verifier = value;
        else if (name == "benchmarkRegistry") benchmarkRegistry = value;
        else revert JobMarketUnknownParameter(name);
        emit AddressUpdated(name, value);
    }

    /// @notice Allowlists a payment token (or removes it) and sets its minimum dispute bond.
    /// Removing a token stops new jobs in it; existing jobs settle as usual.
    /// @param token The token.
    /// @param allowed Whether new jobs may use it.
    /// @param disputeBondMin Minimum dispute bond, in the token's units.
    function configureToken(address token, bool allowed, uint256 disputeBondMin) external onlyRole(GOVERNOR_ROLE) {
        if (token == address(0)) revert JobMarketZeroAddress();
        tokenConfig[token] = TokenConfig({allowed: allowed, disputeBondMin: disputeBondMin});
        emit TokenConfigured(token, allowed, disputeBondMin);
    }

    /// @notice Stops new jobs and bids. Refunds, claims, timeouts and settlement go on.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Lifts a pause.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @notice A job's money and timeline.
    function jobOf(uint256 jobId) external view returns (Job memory) {
        return _jobs[jobId];
    }

    /// @notice A job's spec.
    function specOf(uint256 jobId) external view returns (JobSpec memory) {
        return _specs[jobId];
    }

    /// @notice A job's bids in arrival order.
    function bidsOf(uint256 jobId) external view returns (Bid[] memory) {
        return _bids[jobId];
    }

    /// @notice Refused payouts of `account` in `token`.
    function claimable(address token, address account) external view returns (uint256) {
        return _claimable[token][account];
    }

    /// @notice `price × gpus × duration / 1 hour`, rounded down: a job's value at a price.
    function costOf(uint256 pricePerGpuHour, uint16 gpus, uint32 duration) external pure returns (uint256) {
        return BasisPoints.perGpuHour(pricePerGpuHour, gpus, duration);
    }

    /// @notice Whether `provider` may bid on (or be matched to) job `jobId` now.
    function isEligible(uint256 jobId, address provider) external view returns (bool) {
        return _eligible(jobId, _jobs[jobId], provider);
    }

    // ---------------------------------------------------------------- internals

    function _postJob(JobSpec calldata spec, address token, uint256 maxPrice, uint64 biddingPeriod, address provider)
        private
        returns (uint256 jobId)
    {
        if (!tokenConfig[token].allowed) revert JobMarketTokenNotAllowed(token);
        if (reputation.isBlacklisted(msg.sender)) revert JobMarketBuyerBlacklisted(msg.sender);
        if (
            spec.gpuCount == 0 || spec.duration < 1 minutes || spec.duration > 365 days
                || (spec.benchmarkRequired && !_validBenchmark(spec))
        ) revert JobMarketInvalidSpec();
        if (biddingPeriod < minBiddingPeriod || biddingPeriod > maxBiddingPeriod) {
            revert JobMarketInvalidBiddingPeriod(biddingPeriod);
        }
        uint256 deposit = BasisPoints.perGpuHour(maxPrice, spec.gpuCount, spec.duration);
        if (deposit == 0) revert JobMarketInvalidPrice(maxPrice, maxPrice);

        jobId = ++jobCount;
        Job storage job = _jobs[jobId];
        job.buyer = msg.sender;
        job.state = JobState.OPEN;
        job.biddingEnds = uint64(block.timestamp) + biddingPeriod;
        job.token = token;
        job.provider = provider;
        job.maxPrice = maxPrice;
        job.deposit = deposit;
        job.escrow = deposit;
        _specs[jobId] = spec;
        emit JobPosted(jobId, msg.sender, token, deposit, maxPrice, provider);
        reputation.recordJobPosted(msg.sender);
        _pullIn(jobId, token, msg.sender, deposit);
    }

    function _validBenchmark(JobSpec calldata spec) private pure returns (bool) {
        // Same bounds as BenchmarkRegistry.open (n ≤ 16384), so a posted job can always be matched.
        return spec.benchmarkN != 0 && spec.benchmarkN % 64 == 0 && spec.benchmarkN <= 16_384
            && spec.benchmarkK != 0 && spec.benchmarkT != 0
            && spec.benchmarkT % spec.benchmarkK == 0;
    }

    /// @dev Starts the job at `price`: refunds the excess deposit, locks collateral, reserves GPUs.
    function _match(uint256 jobId, Job storage job, address provider, uint256 price) private {
        JobSpec storage spec = _specs[jobId];
        uint256 value = BasisPoints.perGpuHour(price, spec.gpuCount, spec.duration);
        uint256 excess = job.deposit - value;
        uint256 collateral = _collateralFor(spec);
        job.state = JobState.RUNNING;
        job.provider = provider;
        job.price = price;
        job.startedAt = uint64(block.timestamp);
        job.escrow = value;
        job.collateral = collateral;
        emit JobMatched(jobId, provider, price, value, collateral);
        registry.lockCollateral(provider, jobId, collateral, spec.gpuCount);
        if (spec.benchmarkRequired && benchmarkRegistry != address(0)) {
            // The challenge's seed is fixed now, from on-chain randomness the provider cannot know.
            challengeOfJob[jobId] = IBenchmarkRegistry(benchmarkRegistry).open(
                jobId, provider, spec.benchmarkN, spec.benchmarkT, spec.benchmarkK
            );
        }
        _release(jobId, job.token, job.buyer, excess, Payout.REFUND);
    }

    /// @dev Pays the provider `value − fee` and the treasury the fee; unlocks the collateral.
    function _settle(uint256 jobId, Job storage job) private {
        uint256 value = job.escrow;
        uint256 fee = value.bpsUp(protocolFeeBps);
        job.state = JobState.SETTLED;
        job.escrow = 0;
        emit JobSettled(jobId, job.provider, value - fee, fee);
        registry.releaseCollateral(jobId);
        reputation.recordSuccess(job.provider, job.token, value);
        _release(jobId, job.token, job.provider, value - fee, Payout.PROVIDER);
        _release(jobId, job.token, treasury, fee, Payout.FEE);
    }

    /// @dev Refunds the buyer in full and slashes the job's collateral: `slashBuyerShareBps` to
    /// the buyer, the rest to `remainderTo` (the treasury, or a fraud prover). The provider is
    /// jailed by the registry.
    function _fail(uint256 jobId, Job storage job, address remainderTo) private returns (uint256 slashed) {
        uint256 refund = job.escrow;
        uint256 collateral = job.collateral;
        address provider = job.provider;
        job.state = JobState.FAILED;
        job.escrow = 0;
        if (collateral != 0) {
            uint256 buyerShare = collateral.bpsDown(slashBuyerShareBps);
            if (buyerShare != 0) slashed += registry.slash(provider, buyerShare, job.buyer, jobId);
            if (collateral > buyerShare) slashed += registry.slash(provider, collateral - buyerShare, remainderTo, jobId);
            reputation.recordSlash(provider);
        }
        registry.releaseCollateral(jobId);
        reputation.recordFailure(provider);
        emit JobFailed(jobId, provider, refund, slashed);
        _release(jobId, job.token, job.buyer, refund, Payout.REFUND);
    }

    /// @dev Pulls `amount` of `token` into escrow and rejects tokens that deliver less.
    function _pullIn(uint256 jobId, address token, address from, uint256 amount) private {
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(from, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert JobMarketFeeOnTransfer(token, amount, received);
        escrowedTotal[token] += amount;
        emit EscrowDeposited(jobId, from, token, amount);
    }

    /// @dev Pays `amount` out of escrow; a transfer the token refuses becomes claimable by `to`.
    function _release(uint256 jobId, address token, address to, uint256 amount, Payout kind) private {
        if (amount == 0) return;
        escrowedTotal[token] -= amount;
        if (IERC20(token).trySafeTransfer(to, amount)) {
            emit EscrowReleased(jobId, to, token, amount, kind);
        } else {
            _claimable[token][to] += amount;
            claimableTotal[token] += amount;
            emit PayoutDeferred(jobId, to, token, amount);
        }
    }

    function _bestEligibleBid(uint256 jobId, Job storage job) private view returns (bool found, Bid memory best) {
        Bid[] storage bids = _bids[jobId];
        uint256 bestScore = 0;
        for (uint256 k = 0; k < bids.length; ++k) {
            Bid memory candidate = bids[k];
            if (found && candidate.price > best.price) continue;
            (bool eligible, uint256 candidateScore) = _eligibility(jobId, job, candidate.provider);
            if (!eligible) continue;
            if (
                !found || candidate.price < best.price || candidateScore > bestScore
                    || (candidateScore == bestScore && candidate.seq < best.seq)
            ) {
                (found, best, bestScore) = (true, candidate, candidateScore);
            }
        }
    }

    function _eligible(uint256 jobId, Job storage job, address provider) private view returns (bool eligible) {
        (eligible,) = _eligibility(jobId, job, provider);
    }

    /// @dev Whether `provider` may take the job, and its reputation score (read once, since the
    /// auction ranks on it too; 0 when the registry already rules the provider out).
    function _eligibility(uint256 jobId, Job storage job, address provider)
        private
        view
        returns (bool eligible, uint256 score)
    {
        JobSpec storage spec = _specs[jobId];
        IProviderRegistry.Requirement memory req = IProviderRegistry.Requirement({
            token: job.token,
            gpuModel: spec.gpuModel,
            region: spec.region,
            minVramGiB: spec.minVramGiB,
            gpus: spec.gpuCount,
            collateral: _collateralFor(spec)
        });
        if (provider == job.buyer || !registry.canServe(provider, req)) return (false, 0);
        score = reputation.score(provider);
        eligible = score >= spec.minReputationBps
            && (spec.minVerifiedTops == 0 || reputation.verifiedTops(provider) >= spec.minVerifiedTops);
    }

    function _collateralFor(JobSpec storage spec) private view returns (uint256) {
        return BasisPoints.perGpuHour(collateralPerGpuHour, spec.gpuCount, spec.duration);
    }

    function _resultDeadline(uint256 jobId, Job storage job) private view returns (uint64) {
        return job.startedAt + _specs[jobId].duration + resultGrace;
    }

    function _requireState(uint256 jobId, Job storage job, JobState expected) private view {
        if (job.state != expected) revert JobMarketWrongState(jobId, job.state);
    }

    /// @dev The most one of the two windows may be, given the other: their sum stays below the
    /// registry's unbonding period, so stake cannot leave before a fault can be acted on.
    function _windowRoom(uint64 otherWindow) private view returns (uint256) {
        uint256 unbonding = registry.unbondingPeriod();
        return unbonding > uint256(otherWindow) + 1 ? unbonding - otherWindow - 1 : 0;
    }

    function _bounded(bytes32 name, uint256 value, uint256 min, uint256 max) private pure returns (uint256) {
        if (value < min || value > max) revert JobMarketParameterOutOfBounds(name, value, min, max);
        return value;
    }
}
