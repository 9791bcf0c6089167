// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IBenchmarkRegistry, IBenchmarkFraudSink} from "../interfaces/IBenchmarkRegistry.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IReputation} from "../interfaces/IReputation.sol";
import {BasisPoints} from "./libraries/BasisPoints.sol";
import {JobEscrow} from "./libraries/JobEscrow.sol";
import {MarketDisputes} from "./libraries/MarketDisputes.sol";
import {MarketGovernance} from "./libraries/MarketGovernance.sol";

/// @title JobMarket
/// @notice Buyers post GPU jobs with payment escrowed; providers win them by auction or direct
/// assignment, back them with collateral, and are paid after the dispute window. Every locked fund
/// has a deadline path that anyone can call, and pausing never stops one.
/// @dev Money moves only through JobEscrow's `pullIn` (deposits and bonds) and `release` (refunds,
/// payouts, fees, bonds), each with its own event; a payout the token refuses becomes a claimable
/// balance. Governance (MarketGovernance) and disputes and failures (MarketDisputes) are linked
/// libraries that run on this contract's storage, so that the hot paths stay here.
contract JobMarket is IJobMarket, IBenchmarkFraudSink, AccessControlDefaultAdminRules, Pausable, ReentrancyGuard {
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

    /// @notice Jobs posted so far; ids start at 1.
    uint256 public jobCount;
    /// @notice Allowlist and bond minimum per payment token.
    mapping(address => TokenConfig) public tokenConfig;
    /// @notice The benchmark challenge opened when a job was matched (0: none).
    mapping(uint256 => uint256) public challengeOfJob;

    MarketGovernance.Params private _params;
    mapping(uint256 => JobEscrow.StoredJob) private _jobs;
    mapping(uint256 => JobSpec) private _specs;
    // A job's bidders in arrival order, and per bidder one word: index + 1 (bits 0-7), the bid's
    // sequence (bits 8-39) and its price (bits 40-167).
    mapping(uint256 => mapping(uint256 => address)) private _bidders;
    mapping(uint256 => mapping(address => uint256)) private _bidWords;
    JobEscrow.Ledger private _ledger;

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
        MarketGovernance.initialize(_params, treasury_);
        _grantRole(GOVERNOR_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    // ---------------------------------------------------------------- posting and matching

    /// @notice Posts a job and escrows `maxPrice × gpus × hours` of `token`. A benchmark job's
    /// sizes must pass the benchmark registry's `checkParameters` (its shape and caps), whose
    /// custom error comes through; without a registry it is refused.
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

    /// @notice Bids `pricePerGpuHour` on an open auction, or lowers the caller's own bid. On a
    /// full book (`maxBidsPerJob` bidders) a new bid must be lower than the worst one, which it
    /// evicts. A bid commits the bidder: if it is the lowest when the auction closes and its
    /// bidder is no longer eligible, the bidder forfeits part of its stake (`closeAuction`).
    /// @param jobId The job.
    /// @param pricePerGpuHour At most the job's max price.
    function bid(uint256 jobId, uint256 pricePerGpuHour) external whenNotPaused nonReentrant {
        JobEscrow.StoredJob storage job = _openAuction(jobId);
        if (block.timestamp >= job.biddingEnds) revert JobMarketBiddingClosed(jobId, job.biddingEnds);
        if (pricePerGpuHour == 0 || pricePerGpuHour > job.maxPrice) {
            revert JobMarketInvalidPrice(pricePerGpuHour, job.maxPrice);
        }
        _requireEligible(jobId, job, msg.sender);
        uint256 word = _bidWords[jobId][msg.sender];
        uint256 index = uint8(word);
        if (index != 0) {
            uint256 current = word >> 40;
            if (pricePerGpuHour >= current) revert JobMarketBidNotLower(jobId, current, pricePerGpuHour);
        } else {
            uint8 max = _params.maxBidsPerJob;
            uint8 count = job.bidCount;
            // A full book takes a lower bid in place of its worst one: sybils filling the book
            // never shut out a better bid.
            if (count < max) index = job.bidCount = count + 1;
            else index = MarketDisputes.evictWorst(_bidders[jobId], _bidWords[jobId], jobId, count, pricePerGpuHour, max);
            _bidders[jobId][index - 1] = msg.sender;
        }
        // The price fits: it is at most `maxPrice`, a uint128.
        _bidWords[jobId][msg.sender] = (pricePerGpuHour << 40) | (uint256(++job.bidSeq) << 8) | index;
        // Keep the lowest price and how many bids share it, so that closing needs no scan when a
        // single lowest bid is still eligible. Bids only ever go down, so this stays exact.
        uint256 lowest = job.price;
        if (lowest == 0 || pricePerGpuHour < lowest) {
            job.price = uint128(pricePerGpuHour);
            job.bestIndex = uint8(index);
            job.bestCount = 1;
        } else if (pricePerGpuHour == lowest) {
            ++job.bestCount;
        }
        emit BidPlaced(jobId, msg.sender, pricePerGpuHour);
    }

    /// @notice The buyer accepts `provider`'s bid at any time while the job is open. Not while
    /// paused: a match starts new work (collateral locked, a benchmark opened).
    /// @param jobId The job.
    /// @param provider A provider with a bid on it.
    function acceptBid(uint256 jobId, address provider) external whenNotPaused nonReentrant {
        JobEscrow.StoredJob storage job = _buyersOpenJob(jobId);
        uint256 word = _bidWords[jobId][provider];
        if (word == 0) revert JobMarketNoBid(jobId, provider);
        _requireEligible(jobId, job, provider);
        _match(jobId, job, provider, word >> 40);
    }

    /// @notice After the bidding period anyone may close the auction: the lowest eligible price
    /// wins, ties go to the higher reputation, then to the earlier bid; with no eligible bid (or
    /// none at all) the job is cancelled and the buyer refunded in full. If the lowest bid's
    /// bidder is not eligible any more, it forfeits `bidForfeitBps` of the job's collateral from
    /// its stake to the buyer (`MarketDisputes.closeRanked`). Not while paused.
    /// @param jobId The job.
    function closeAuction(uint256 jobId) external whenNotPaused nonReentrant {
        JobEscrow.StoredJob storage job = _openAuction(jobId);
        if (block.timestamp < job.biddingEnds) revert JobMarketBiddingOpen(jobId, job.biddingEnds);
        uint256 price = job.price;
        // One lowest bid that is still eligible wins without a ranking (the lowest price and how
        // many bids share it are kept as bids arrive).
        address winner = job.bestCount == 1 ? _bidders[jobId][job.bestIndex - 1] : address(0);
        if (winner == address(0) || _ineligibility(jobId, job, winner) != Ineligibility.NONE) {
            // Otherwise rank every bid, make a lowest bidder that walked away forfeit, and cancel
            // the job if no bid is eligible: rare paths, in the linked library.
            (winner, price) = MarketDisputes.closeRanked(
                _ledger, _params, _peers(), _bidders[jobId], _bidWords[jobId], jobId, job, _specs[jobId]
            );
            if (winner == address(0)) return;
        }
        _match(jobId, job, winner, price);
    }

    /// @notice The provider of a direct assignment accepts it at the posted price. Not while
    /// paused.
    /// @param jobId The job.
    function acceptJob(uint256 jobId) external whenNotPaused nonReentrant {
        JobEscrow.StoredJob storage job = _providersJob(jobId, JobState.OPEN);
        if (block.timestamp >= job.biddingEnds) revert JobMarketDeadlinePassed(jobId, job.biddingEnds);
        _requireEligible(jobId, job, msg.sender);
        _match(jobId, job, msg.sender, job.maxPrice);
    }

    /// @notice The buyer cancels an unmatched job for a full refund: at any time with no bids,
    /// and whatever its bids when no bid can be matched: while the market is paused, or when the
    /// benchmark registry's caps, lowered since the job was posted, no longer admit its benchmark
    /// (a match would revert). An auction with bids otherwise ends at `closeAuction`, which
    /// cancels it when no bid is eligible.
    /// @param jobId The job.
    function cancel(uint256 jobId) external nonReentrant {
        JobEscrow.StoredJob storage job = _buyersOpenJob(jobId);
        JobSpec storage spec = _specs[jobId];
        if (
            job.bidCount != 0 && !_params.paused
                && (
                    !spec.benchmarkRequired
                        || IBenchmarkRegistry(_params.benchmarkRegistry).admits(
                            spec.benchmarkN, spec.benchmarkT, spec.benchmarkK
                        )
                )
        ) revert JobMarketHasBids(jobId);
        JobEscrow.cancel(_ledger, jobId, job, spec);
    }

    // ---------------------------------------------------------------- results and settlement

    /// @notice The provider submits the result before `start + duration + resultGrace`. The work
    /// is over, so its GPUs are free for other jobs from now on; the collateral stays locked until
    /// the job settles or fails.
    /// @param jobId The job.
    /// @param resultHash Hash of the result artifact.
    /// @param resultURI Where the artifact can be fetched.
    function submitResult(uint256 jobId, bytes32 resultHash, string calldata resultURI)
        external
        nonReentrant
    {
        JobEscrow.StoredJob storage job = _providersJob(jobId, JobState.RUNNING);
        uint64 deadline = JobEscrow.resultDeadline(job, _specs[jobId], _params);
        if (block.timestamp > deadline) revert JobMarketDeadlinePassed(jobId, deadline);
        job.state = JobState.SUBMITTED;
        job.submittedAt = uint40(block.timestamp);
        job.resultHash = resultHash;
        // A job that needs a verdict waits `attestTimeout` for one before settling optimistically.
        if (_specs[jobId].benchmarkRequired) job.windowDelay = JobEscrow.termsOf(_params, job).attestTimeout;
        emit ResultSubmitted(jobId, msg.sender, resultHash, resultURI);
        registry.releaseCapacity(jobId);
    }

    /// @notice The verifier's verdict on a submitted job. `ok` starts the dispute window at once;
    /// a failure refunds the buyer and slashes the provider's collateral.
    /// @dev Only `verifier`, and only before the job could be finalized.
    /// @param jobId The job.
    /// @param ok Whether the work was verified.
    function recordVerdict(uint256 jobId, bool ok) external nonReentrant {
        JobEscrow.StoredJob storage job = _knownJob(jobId);
        if (msg.sender != _params.verifier) revert JobMarketNotVerifier(msg.sender);
        _requireState(jobId, job, JobState.SUBMITTED);
        uint64 windowEnd = JobEscrow.windowEnd(job, _params);
        if (block.timestamp >= windowEnd) revert JobMarketDeadlinePassed(jobId, windowEnd);
        emit VerdictRecorded(jobId, ok);
        if (ok) {
            job.state = JobState.VERIFIED;
            // Fits: before the window's end, under attestTimeout + disputeWindow after submission.
            job.windowDelay = uint32(block.timestamp - job.submittedAt);
        } else {
            MarketDisputes.fail(_ledger, _params, _peers(), jobId, job, _specs[jobId]);
        }
    }

    /// @notice Anyone settles a job whose dispute window has passed, paying the provider
    /// `value − fee`; or a dispute the arbiter left open for `arbitrationTimeout`, where buyer and
    /// provider each forfeit `min(bond, value)` to the treasury and get the rest of the bond and
    /// of the pay (`MarketDisputes.finalizeDisputed`). Works while paused.
    /// @param jobId The job.
    function finalize(uint256 jobId) external nonReentrant {
        JobEscrow.StoredJob storage job = _knownJob(jobId);
        JobState state = job.state;
        if (state == JobState.SUBMITTED || state == JobState.VERIFIED) {
            uint64 windowEnd = JobEscrow.windowEnd(job, _params);
            if (block.timestamp < windowEnd) revert JobMarketDeadlineNotReached(jobId, windowEnd);
            JobEscrow.settle(_ledger, _params, _peers(), jobId, job, _specs[jobId]);
        } else if (state == JobState.DISPUTED) {
            MarketDisputes.finalizeDisputed(_ledger, _params, _peers(), jobId, job, _specs[jobId]);
        } else {
            revert JobMarketWrongState(jobId, state);
        }
    }

    /// @notice Anyone fails a running job whose result deadline has passed: the buyer is refunded
    /// and compensated from the provider's collateral. Works while paused.
    /// @param jobId The job.
    function claimTimeout(uint256 jobId) external nonReentrant {
        MarketDisputes.claimTimeout(_ledger, _params, _peers(), jobId, _knownJob(jobId), _specs[jobId]);
    }

    /// @notice A fraud proven on the job's benchmark (BenchmarkRegistry only): the job fails at
    /// once, the buyer is refunded (with a dispute bond, if any) and gets its share of the
    /// collateral as on any failure (the treasury the rest), and the prover gets the fraud bounty
    /// the match locked beside the collateral. Works while paused.
    /// @param jobId The job.
    /// @param prover Who proved the fraud.
    /// @return slashed Collateral taken from the provider.
    function onBenchmarkFraud(uint256 jobId, address prover)
        external
        nonReentrant
        returns (uint256 slashed)
    {
        return MarketDisputes.onFraud(_ledger, _params, _peers(), jobId, _knownJob(jobId), _specs[jobId], prover);
    }

    // ---------------------------------------------------------------- disputes

    /// @notice The buyer disputes a submitted or verified job within its window, posting a bond
    /// of `max(disputeBondMin, disputeBondBps of value)` in the job's token under the terms of
    /// its match (`disputeBondOf`).
    /// @param jobId The job.
    function dispute(uint256 jobId) external nonReentrant {
        MarketDisputes.dispute(_ledger, _params, tokenConfig, jobId, _knownJob(jobId), _specs[jobId]);
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
    {
        MarketDisputes.resolve(_ledger, _params, _peers(), jobId, _knownJob(jobId), _specs[jobId], providerAtFault);
    }

    /// @notice Pays the caller's refused payouts in `token` to `to` (which may differ from the
    /// caller, e.g. when the caller is blacklisted by the token).
    /// @param token The token.
    /// @param to The recipient.
    /// @return amount Token units paid.
    function claim(address token, address to) external nonReentrant returns (uint256 amount) {
        return MarketDisputes.claim(_ledger, token, to);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Sets a numeric parameter within its bounds (`MarketGovernance.setParameter` lists
    /// the names and bounds, checked in code) and emits `ParameterUpdated`.
    /// @dev Only GOVERNOR_ROLE.
    /// @param name The parameter's name.
    /// @param value The new value.
    function setParameter(bytes32 name, uint256 value) external onlyRole(GOVERNOR_ROLE) {
        MarketGovernance.setParameter(_params, name, value, registry.unbondingPeriod());
    }

    /// @notice Sets an address: "treasury", "verifier" or "benchmarkRegistry".
    /// @dev Only DEFAULT_ADMIN_ROLE, whose transfer is delayed.
    /// @param name The address's name.
    /// @param value The new address (non-zero).
    function setAddress(bytes32 name, address value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        MarketGovernance.setAddress(_params, name, value);
    }

    /// @notice Allowlists a payment token (or removes it) and sets its minimum dispute bond.
    /// Removing a token stops new jobs in it; existing jobs settle as usual.
    /// @param token The token.
    /// @param allowed Whether new jobs may use it.
    /// @param disputeBondMin Minimum dispute bond, in the token's units (at most 2^128 − 1).
    function configureToken(address token, bool allowed, uint256 disputeBondMin) external onlyRole(GOVERNOR_ROLE) {
        MarketGovernance.configureToken(_params, tokenConfig, token, allowed, disputeBondMin);
    }

    /// @notice Stops new jobs, bids and matches. Cancels, refunds, claims, timeouts, verdicts,
    /// disputes and settlement go on.
    function pause() external onlyRole(PAUSER_ROLE) {
        MarketGovernance.setPaused(_params, true);
    }

    /// @notice Lifts a pause.
    function unpause() external onlyRole(PAUSER_ROLE) {
        MarketGovernance.setPaused(_params, false);
    }

    /// @notice Whether the market is paused.
    /// @dev The flag is kept in the parameter slot that posting, bidding and matching read
    /// anyway, instead of Pausable's own slot, so the pause check costs them no storage read.
    function paused() public view override returns (bool) {
        return _params.paused;
    }

    // ---------------------------------------------------------------- parameters

    /// @notice Receives protocol fees and its share of slashed collateral.
    function treasury() external view returns (address) {
        return _params.treasury;
    }

    /// @notice The one address whose verdicts count (the oracle council).
    function verifier() external view returns (address) {
        return _params.verifier;
    }

    /// @notice Opens PoGEMM challenges for jobs that require a benchmark (zero: none).
    function benchmarkRegistry() external view returns (address) {
        return _params.benchmarkRegistry;
    }

    /// @notice Protocol fee on a settled job's value, in basis points (default 5%, at most 15%).
    function protocolFeeBps() external view returns (uint256) {
        return _params.current.protocolFeeBps;
    }

    /// @notice Buyer's share of slashed collateral, in basis points (default 50%).
    function slashBuyerShareBps() external view returns (uint256) {
        return _params.current.slashBuyerShareBps;
    }

    /// @notice Dispute bond as a share of the job's value, in basis points (default 10%).
    function disputeBondBps() external view returns (uint256) {
        return _params.current.disputeBondBps;
    }

    /// @notice The fraud bounty a benchmark job locks beside its collateral, in basis points of
    /// the collateral (default 50%); a proven fraud pays it to the prover.
    function fraudBountyBps() external view returns (uint256) {
        return _params.fraudBountyBps;
    }

    /// @notice Collateral per GPU-hour, in staking-token units (default 10 GMKT).
    function collateralPerGpuHour() external view returns (uint256) {
        return _params.collateralPerGpuHour;
    }

    /// @notice Length of the buyer's dispute window after a verdict or optimistic start.
    function disputeWindow() external view returns (uint64) {
        return _params.current.disputeWindow;
    }

    /// @notice How long a job that needs a verdict waits for one before settling optimistically.
    function attestTimeout() external view returns (uint64) {
        return _params.current.attestTimeout;
    }

    /// @notice Time after `start + duration` within which the result must be submitted.
    function resultGrace() external view returns (uint64) {
        return _params.current.resultGrace;
    }

    /// @notice Time after a dispute opens after which anyone may settle it without the arbiter.
    function arbitrationTimeout() external view returns (uint64) {
        return _params.current.arbitrationTimeout;
    }

    /// @notice Shortest bidding (or acceptance) period.
    function minBiddingPeriod() external view returns (uint64) {
        return _params.minBiddingPeriod;
    }

    /// @notice Longest bidding (or acceptance) period.
    function maxBiddingPeriod() external view returns (uint64) {
        return _params.maxBiddingPeriod;
    }

    /// @notice Bids one job accepts; bounds the gas of `closeAuction`.
    function maxBidsPerJob() external view returns (uint32) {
        return _params.maxBidsPerJob;
    }

    /// @notice What the lowest bidder forfeits, in basis points of the job's collateral, if it is
    /// not eligible when the auction closes (default 50%).
    function bidForfeitBps() external view returns (uint256) {
        return _params.bidForfeitBps;
    }

    /// @notice Lost disputes after which a buyer is blacklisted.
    function maxBuyerStrikes() external view returns (uint32) {
        return _params.maxBuyerStrikes;
    }

    // ---------------------------------------------------------------- views

    /// @notice A job's money and timeline; all zero for an unknown job.
    function jobOf(uint256 jobId) external view returns (Job memory job) {
        JobEscrow.StoredJob storage s = _jobs[jobId];
        JobSpec storage spec = _specs[jobId];
        job.buyer = s.buyer;
        job.state = s.state;
        job.biddingEnds = s.biddingEnds;
        job.token = s.token;
        job.startedAt = s.startedAt;
        job.provider = s.provider;
        job.submittedAt = s.submittedAt;
        job.windowStart = s.submittedAt != 0 ? uint64(s.submittedAt) + s.windowDelay : 0;
        job.disputedAt = s.disputedAt;
        job.maxPrice = s.maxPrice;
        job.price = s.startedAt != 0 ? s.price : 0;
        job.deposit = BasisPoints.perGpuHour(s.maxPrice, spec.gpuCount, spec.duration);
        job.escrow = JobEscrow.escrowOf(s, spec);
        job.collateral = s.collateral;
        job.bond = s.bond;
        job.resultHash = s.resultHash;
    }

    /// @notice A job's spec.
    function specOf(uint256 jobId) external view returns (JobSpec memory) {
        return _specs[jobId];
    }

    /// @notice A job's bids in arrival order.
    function bidsOf(uint256 jobId) external view returns (Bid[] memory bids) {
        uint256 count = _jobs[jobId].bidCount;
        bids = new Bid[](count);
        for (uint256 k = 0; k < count; ++k) {
            address provider = _bidders[jobId][k];
            uint256 word = _bidWords[jobId][provider];
            bids[k] = Bid({provider: provider, seq: uint32(word >> 8), price: word >> 40});
        }
    }

    /// @notice Refused payouts of `account` in `token`.
    function claimable(address token, address account) external view returns (uint256) {
        return _ledger.claimable[token][account];
    }

    /// @notice Tokens held for open jobs and bonds, per token.
    function escrowedTotal(address token) external view returns (uint256) {
        return _ledger.escrowedTotal[token];
    }

    /// @notice Refused payouts waiting to be claimed, per token.
    function claimableTotal(address token) external view returns (uint256) {
        return _ledger.claimableTotal[token];
    }

    /// @notice `price × gpus × duration / 1 hour`, rounded down: a job's value at a price.
    function costOf(uint256 pricePerGpuHour, uint16 gpus, uint32 duration) external pure returns (uint256) {
        return BasisPoints.perGpuHour(pricePerGpuHour, gpus, duration);
    }

    /// @inheritdoc IJobMarket
    function eligibilityOf(uint256 jobId, address provider) external view returns (Ineligibility) {
        return _ineligibility(jobId, _jobs[jobId], provider);
    }

    /// @inheritdoc IJobMarket
    function collateralOf(uint256 jobId) external view returns (uint256) {
        JobEscrow.StoredJob storage job = _jobs[jobId];
        JobSpec storage spec = _specs[jobId];
        if (job.startedAt == 0) return JobEscrow.lockOf(_params, spec, JobEscrow.collateralFor(_params, spec));
        uint256 collateral = job.collateral;
        if (!spec.benchmarkRequired) return collateral;
        return collateral + JobEscrow.fraudBounty(collateral, JobEscrow.termsOf(_params, job).fraudBountyBps);
    }

    /// @inheritdoc IJobMarket
    function disputeBondOf(uint256 jobId) external view returns (uint256) {
        return MarketDisputes.bondOf(_params, tokenConfig, _jobs[jobId], _specs[jobId]);
    }

    /// @inheritdoc IJobMarket
    function resultDeadlineOf(uint256 jobId) external view returns (uint64) {
        JobEscrow.StoredJob storage job = _jobs[jobId];
        return job.startedAt == 0 ? 0 : JobEscrow.resultDeadline(job, _specs[jobId], _params);
    }

    /// @inheritdoc IJobMarket
    function windowEndOf(uint256 jobId) external view returns (uint64) {
        JobEscrow.StoredJob storage job = _jobs[jobId];
        return job.submittedAt == 0 ? 0 : JobEscrow.windowEnd(job, _params);
    }

    /// @inheritdoc IJobMarket
    function arbitrationEndOf(uint256 jobId) external view returns (uint64) {
        JobEscrow.StoredJob storage job = _jobs[jobId];
        return job.disputedAt == 0 ? 0 : MarketDisputes.arbitrationEnd(_params, job);
    }

    // ---------------------------------------------------------------- internals

    function _postJob(JobSpec calldata spec, address token, uint256 maxPrice, uint64 biddingPeriod, address provider)
        private
        returns (uint256 jobId)
    {
        if (!tokenConfig[token].allowed) revert JobMarketTokenNotAllowed(token);
        if (reputation.isBlacklisted(msg.sender)) revert JobMarketBuyerBlacklisted(msg.sender);
        if (spec.gpuCount == 0 || spec.duration < 1 minutes || spec.duration > 365 days) revert JobMarketInvalidSpec();
        if (spec.benchmarkRequired) {
            // The registry's checkParameters is the one home of the sizes' rule and caps: its
            // custom error comes through. No registry: nothing could verify the benchmark.
            address benchmark = _params.benchmarkRegistry;
            if (benchmark == address(0)) revert JobMarketNoBenchmarkRegistry();
            IBenchmarkRegistry(benchmark).checkParameters(spec.benchmarkN, spec.benchmarkT, spec.benchmarkK);
        }
        if (biddingPeriod < _params.minBiddingPeriod || biddingPeriod > _params.maxBiddingPeriod) {
            revert JobMarketInvalidBiddingPeriod(biddingPeriod);
        }
        uint256 deposit = BasisPoints.perGpuHour(maxPrice, spec.gpuCount, spec.duration);
        // A job's amounts are stored in 128 bits: the deposit bounds every price, value and bond.
        if (deposit == 0 || deposit > type(uint128).max || maxPrice > type(uint128).max) {
            revert JobMarketInvalidPrice(maxPrice, maxPrice);
        }

        jobId = ++jobCount;
        JobEscrow.StoredJob storage job = _jobs[jobId];
        job.buyer = msg.sender;
        job.state = JobState.OPEN;
        // The bidding period is at most 365 days: the sum fits in 40 bits for 30,000 years.
        job.biddingEnds = uint40(block.timestamp + biddingPeriod);
        job.token = token;
        if (provider != address(0)) job.provider = provider;
        job.maxPrice = uint128(maxPrice);
        _specs[jobId] = spec;
        emit JobPosted(jobId, msg.sender, token, deposit, maxPrice, provider);
        reputation.recordJobPosted(msg.sender);
        JobEscrow.pullIn(_ledger, jobId, token, deposit);
    }

    /// @dev Starts the job at `price` under the current terms: fixes its collateral, locks it (and
    /// a benchmark job's fraud bounty), reserves GPUs and refunds the excess deposit.
    function _match(uint256 jobId, JobEscrow.StoredJob storage job, address provider, uint256 price) private {
        JobSpec storage spec = _specs[jobId];
        uint256 deposit = BasisPoints.perGpuHour(job.maxPrice, spec.gpuCount, spec.duration);
        uint256 value = BasisPoints.perGpuHour(price, spec.gpuCount, spec.duration);
        uint256 collateral = JobEscrow.collateralFor(_params, spec);
        job.state = JobState.RUNNING;
        job.termsId = _params.termsId;
        job.startedAt = uint40(block.timestamp);
        job.provider = provider;
        // Fits: the price is at most `maxPrice`, and the collateral below 2^80 × 2^16 × 2^14
        // (an 80-bit rate, at most 65,535 GPUs, at most 8,760 hours).
        job.price = uint128(price);
        job.collateral = uint128(collateral);
        emit JobMatched(jobId, provider, price, value, collateral);
        registry.lockCollateral(provider, jobId, JobEscrow.lockOf(_params, spec, collateral), spec.gpuCount);
        // The registry is set (posting a benchmark job needs one, and it is never reset to zero);
        // it checks the sizes against its caps as they are now.
        if (spec.benchmarkRequired) {
            // The challenge's seed is fixed now, from on-chain randomness the provider cannot know.
            challengeOfJob[jobId] = IBenchmarkRegistry(_params.benchmarkRegistry).open(
                jobId, provider, spec.benchmarkN, spec.benchmarkT, spec.benchmarkK
            );
        }
        JobEscrow.release(_ledger, jobId, job.token, job.buyer, deposit - value, Payout.REFUND);
    }

    function _ineligibility(uint256 jobId, JobEscrow.StoredJob storage job, address provider)
        private
        view
        returns (Ineligibility reason)
    {
        JobSpec storage spec = _specs[jobId];
        (reason,) = JobEscrow.eligibility(_peers(), job, spec, JobEscrow.requirement(_params, job, spec), provider);
    }

    function _peers() private view returns (JobEscrow.Peers memory) {
        return JobEscrow.Peers({registry: registry, reputation: reputation});
    }

    /// @dev The job, or `JobMarketUnknownJob` when it was never posted.
    function _knownJob(uint256 jobId) private view returns (JobEscrow.StoredJob storage job) {
        job = _jobs[jobId];
        if (job.state == JobState.NONE) revert JobMarketUnknownJob(jobId);
    }

    function _requireState(uint256 jobId, JobEscrow.StoredJob storage job, JobState expected) private view {
        if (job.state != expected) revert JobMarketWrongState(jobId, job.state);
    }

    /// @dev An open auction (not a direct assignment), else why not.
    function _openAuction(uint256 jobId) private view returns (JobEscrow.StoredJob storage job) {
        job = _knownJob(jobId);
        _requireState(jobId, job, JobState.OPEN);
        if (job.provider != address(0)) revert JobMarketDirectAssignment(jobId);
    }

    /// @dev An open job of the caller's, else why not.
    function _buyersOpenJob(uint256 jobId) private view returns (JobEscrow.StoredJob storage job) {
        job = _knownJob(jobId);
        if (msg.sender != job.buyer) revert JobMarketNotBuyer(jobId, msg.sender);
        _requireState(jobId, job, JobState.OPEN);
    }

    /// @dev A job in `expected` state whose provider is the caller, else why not.
    function _providersJob(uint256 jobId, JobState expected) private view returns (JobEscrow.StoredJob storage job) {
        job = _knownJob(jobId);
        if (msg.sender != job.provider) revert JobMarketNotProvider(jobId, msg.sender);
        _requireState(jobId, job, expected);
    }

    function _requireEligible(uint256 jobId, JobEscrow.StoredJob storage job, address provider) private view {
        if (_ineligibility(jobId, job, provider) != Ineligibility.NONE) revert JobMarketNotEligible(jobId, provider);
    }
}
