// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IJobMarket} from "../../interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../../interfaces/IProviderRegistry.sol";
import {BasisPoints} from "./BasisPoints.sol";
import {JobEscrow} from "./JobEscrow.sol";
import {MarketGovernance} from "./MarketGovernance.sol";

/// @title MarketDisputes
/// @notice JobMarket's unhappy paths: a buyer's dispute and its bond, the arbiter's ruling, the
/// settlement of a dispute the arbiter left open, the failure of a job (refund and slash) that a
/// FAIL verdict, a missed result deadline, a proven fraud or a lost dispute causes, the claim
/// of a payout a token refused, and an auction's two unhappy paths: a full book that evicts its
/// worst bid for a lower one, and the forfeit of a lowest bidder that walked away.
/// @dev Deployed once and linked: its functions run by DELEGATECALL on the market's storage, with
/// the market's address, events and caller. The market checks roles, states it dispatches on and
/// reentrancy; these functions check the rest. None of them is on a job's happy path, so the
/// DELEGATECALL's cost (about 3,000 gas) falls only on disputes, failures and claims.
library MarketDisputes {
    using BasisPoints for uint256;
    using SafeERC20 for IERC20;

    /// @notice Fails a job: the buyer is refunded and compensated from the collateral, the
    /// treasury gets the rest of the slash.
    /// @return slashed Collateral taken from the provider.
    function fail(
        JobEscrow.Ledger storage ledger,
        MarketGovernance.Params storage p,
        JobEscrow.Peers memory peers,
        uint256 jobId,
        JobEscrow.StoredJob storage job,
        IJobMarket.JobSpec storage spec
    ) external returns (uint256 slashed) {
        return JobEscrow.fail(ledger, p, peers, jobId, job, spec, address(0));
    }

    /// @notice Fails a running job whose result deadline has passed (anyone may call).
    function claimTimeout(
        JobEscrow.Ledger storage ledger,
        MarketGovernance.Params storage p,
        JobEscrow.Peers memory peers,
        uint256 jobId,
        JobEscrow.StoredJob storage job,
        IJobMarket.JobSpec storage spec
    ) external {
        if (job.state != IJobMarket.JobState.RUNNING) revert IJobMarket.JobMarketWrongState(jobId, job.state);
        uint64 deadline = JobEscrow.resultDeadline(job, spec, p);
        if (block.timestamp <= deadline) revert IJobMarket.JobMarketDeadlineNotReached(jobId, deadline);
        JobEscrow.fail(ledger, p, peers, jobId, job, spec, address(0));
    }

    /// @notice A fraud proven on the job's benchmark, reported by the benchmark registry (the only
    /// caller allowed): the job fails as any failure does, the buyer gets a dispute bond back if
    /// one was posted, and `prover` the fraud bounty locked beside the collateral.
    /// @return slashed Collateral and bounty taken from the provider.
    function onFraud(
        JobEscrow.Ledger storage ledger,
        MarketGovernance.Params storage p,
        JobEscrow.Peers memory peers,
        uint256 jobId,
        JobEscrow.StoredJob storage job,
        IJobMarket.JobSpec storage spec,
        address prover
    ) external returns (uint256 slashed) {
        if (msg.sender != p.benchmarkRegistry) revert IJobMarket.JobMarketNotBenchmarkRegistry(msg.sender);
        IJobMarket.JobState state = job.state;
        if (
            state != IJobMarket.JobState.RUNNING && state != IJobMarket.JobState.SUBMITTED
                && state != IJobMarket.JobState.VERIFIED && state != IJobMarket.JobState.DISPUTED
        ) revert IJobMarket.JobMarketWrongState(jobId, state);
        uint256 bond = job.bond;
        job.bond = 0;
        slashed = JobEscrow.fail(ledger, p, peers, jobId, job, spec, prover);
        JobEscrow.release(ledger, jobId, job.token, job.buyer, bond, IJobMarket.Payout.BOND);
    }

    /// @notice The buyer (`msg.sender`) disputes a submitted or verified job within its window and
    /// posts the bond of the job's terms.
    function dispute(
        JobEscrow.Ledger storage ledger,
        MarketGovernance.Params storage p,
        mapping(address => IJobMarket.TokenConfig) storage tokens,
        uint256 jobId,
        JobEscrow.StoredJob storage job,
        IJobMarket.JobSpec storage spec
    ) external {
        if (msg.sender != job.buyer) revert IJobMarket.JobMarketNotBuyer(jobId, msg.sender);
        IJobMarket.JobState state = job.state;
        if (state != IJobMarket.JobState.SUBMITTED && state != IJobMarket.JobState.VERIFIED) {
            revert IJobMarket.JobMarketWrongState(jobId, state);
        }
        uint64 windowEnd = JobEscrow.windowEnd(job, p);
        if (block.timestamp >= windowEnd) revert IJobMarket.JobMarketDeadlinePassed(jobId, windowEnd);
        uint256 bond = bondOf(p, tokens, job, spec);
        job.state = IJobMarket.JobState.DISPUTED;
        job.disputedAt = uint40(block.timestamp);
        // Fits: at most the token's `disputeBondMin` (bounded to 128 bits) or half the value.
        job.bond = uint128(bond);
        emit IJobMarket.DisputeOpened(jobId, msg.sender, bond);
        JobEscrow.pullIn(ledger, jobId, job.token, bond);
    }

    /// @notice The arbiter's ruling on a disputed job. Provider at fault: the job fails and the
    /// buyer gets the bond back. Buyer at fault: the provider is paid and receives the bond, and
    /// the buyer takes a strike.
    function resolve(
        JobEscrow.Ledger storage ledger,
        MarketGovernance.Params storage p,
        JobEscrow.Peers memory peers,
        uint256 jobId,
        JobEscrow.StoredJob storage job,
        IJobMarket.JobSpec storage spec,
        bool providerAtFault
    ) external {
        if (job.state != IJobMarket.JobState.DISPUTED) revert IJobMarket.JobMarketWrongState(jobId, job.state);
        uint256 bond = job.bond;
        job.bond = 0;
        emit IJobMarket.DisputeResolved(jobId, providerAtFault);
        if (providerAtFault) {
            peers.reputation.recordProviderDisputeLost(job.provider);
            peers.reputation.recordBuyerDispute(job.buyer, true, p.maxBuyerStrikes);
            JobEscrow.fail(ledger, p, peers, jobId, job, spec, address(0));
            JobEscrow.release(ledger, jobId, job.token, job.buyer, bond, IJobMarket.Payout.BOND);
        } else {
            peers.reputation.recordBuyerDispute(job.buyer, false, p.maxBuyerStrikes);
            JobEscrow.settle(ledger, p, peers, jobId, job, spec);
            JobEscrow.release(ledger, jobId, job.token, job.provider, bond, IJobMarket.Payout.BOND);
        }
    }

    /// @notice Settles a dispute the arbiter left open for the job's `arbitrationTimeout`. Nobody
    /// judged the claim, so neither side may come out ahead of where it stood without the
    /// dispute: buyer and provider each forfeit `min(bond, value)` to the treasury. The buyer gets
    /// the rest of its bond back; the provider is paid the rest of the value, less the fee on
    /// what it is paid. No success, failure or strike is recorded: a result nobody judged earns no
    /// reputation, a claim nobody judged costs no strike.
    /// @dev Every amount under the job's terms. Two-party payouts cannot make both a buyer who
    /// disputes good work and a provider who submitted bad work lose (what one loses the other
    /// gains), so the forfeits leave both: SECURITY.md, Incentives.
    function finalizeDisputed(
        JobEscrow.Ledger storage ledger,
        MarketGovernance.Params storage p,
        JobEscrow.Peers memory peers,
        uint256 jobId,
        JobEscrow.StoredJob storage job,
        IJobMarket.JobSpec storage spec
    ) external {
        uint64 timeoutAt = arbitrationEnd(p, job);
        if (block.timestamp < timeoutAt) revert IJobMarket.JobMarketDeadlineNotReached(jobId, timeoutAt);
        uint256 bond = job.bond;
        job.bond = 0;
        uint256 value = JobEscrow.escrowOf(job, spec);
        uint256 forfeit = Math.min(bond, value);
        uint256 pay = value - forfeit;
        uint256 fee = pay.bpsUp(JobEscrow.termsOf(p, job).protocolFeeBps);
        job.state = IJobMarket.JobState.SETTLED;
        address provider = job.provider;
        address token = job.token;
        address treasury = p.treasury;
        emit IJobMarket.ArbitrationTimedOut(jobId, forfeit);
        emit IJobMarket.JobSettled(jobId, provider, pay - fee, fee);
        peers.registry.releaseCollateral(jobId);
        JobEscrow.release(ledger, jobId, token, provider, pay - fee, IJobMarket.Payout.PROVIDER);
        JobEscrow.release(ledger, jobId, token, treasury, fee, IJobMarket.Payout.FEE);
        JobEscrow.release(ledger, jobId, token, treasury, forfeit, IJobMarket.Payout.FORFEIT);
        JobEscrow.release(ledger, jobId, token, treasury, forfeit, IJobMarket.Payout.BOND);
        JobEscrow.release(ledger, jobId, token, job.buyer, bond - forfeit, IJobMarket.Payout.BOND);
    }

    /// @notice When anyone may settle a dispute the arbiter has left open: `disputedAt` plus the
    /// job's `arbitrationTimeout`.
    function arbitrationEnd(MarketGovernance.Params storage p, JobEscrow.StoredJob storage job)
        public
        view
        returns (uint64)
    {
        return uint64(job.disputedAt) + JobEscrow.termsOf(p, job).arbitrationTimeout;
    }

    /// @notice The bond `dispute` pulls: `max(disputeBondMin, disputeBondBps of the value)` under
    /// the terms of the job's match; before the match, under the current ones (of the deposit).
    function bondOf(
        MarketGovernance.Params storage p,
        mapping(address => IJobMarket.TokenConfig) storage tokens,
        JobEscrow.StoredJob storage job,
        IJobMarket.JobSpec storage spec
    ) public view returns (uint256) {
        uint256 escrow = JobEscrow.escrowOf(job, spec);
        if (job.startedAt == 0) {
            return Math.max(tokens[job.token].disputeBondMin, escrow.bpsUp(p.current.disputeBondBps));
        }
        uint256 floor = MarketGovernance.bondFloorAt(p, job.token, job.termsId);
        return Math.max(floor, escrow.bpsUp(JobEscrow.termsOf(p, job).disputeBondBps));
    }

    /// @notice A new bid on a full book (`maxBidsPerJob` bidders): it takes the place of the
    /// worst bid, the highest price and at one price the latest, if it is lower than that price;
    /// else `JobMarketTooManyBids`. So a book filled by sybils never shuts out a better bid.
    /// @dev The scan reads every bid (about 4,200 gas each, cold), and only a bid on a full book
    /// pays it. A bid's word is `(price << 40) | (sequence << 8) | (index + 1)`, so comparing
    /// `word >> 8` ranks by price, then sequence.
    /// @return index The evicted bid's index + 1, which the new bid takes.
    function evictWorst(
        mapping(uint256 => address) storage bidders,
        mapping(address => uint256) storage words,
        uint256 jobId,
        uint256 count,
        uint256 price,
        uint256 max
    ) external returns (uint256 index) {
        address worst = address(0);
        uint256 worstWord = 0; // below every bid's word: the first bid read is the worst so far
        for (uint256 k = 0; k < count; ++k) {
            address bidder = bidders[k];
            uint256 word = words[bidder];
            if (word >> 8 > worstWord >> 8) (worst, worstWord) = (bidder, word);
        }
        uint256 worstPrice = worstWord >> 40;
        if (price >= worstPrice) revert IJobMarket.JobMarketTooManyBids(jobId, max);
        delete words[worst];
        emit IJobMarket.BidEvicted(jobId, worst, worstPrice);
        return uint8(worstWord);
    }

    /// @notice `closeAuction` when no single lowest bid is still eligible: ranks every bid (the
    /// lowest eligible price, then the higher reputation, then the earlier bid), makes a lowest
    /// bidder that walked away forfeit (`_forfeit`), and cancels the job, refunding the buyer in
    /// full, when no bid is eligible (or there is none).
    /// @dev Here, not in the market: the market's fast path (one lowest bid, still eligible) needs
    /// none of it. The DELEGATECALL (about 3,000 gas) falls on a tie or a walk-away only.
    /// @return best The winner (zero: the job was cancelled).
    /// @return bestPrice Its price.
    function closeRanked(
        JobEscrow.Ledger storage ledger,
        MarketGovernance.Params storage p,
        JobEscrow.Peers memory peers,
        mapping(uint256 => address) storage bidders,
        mapping(address => uint256) storage words,
        uint256 jobId,
        JobEscrow.StoredJob storage job,
        IJobMarket.JobSpec storage spec
    ) external returns (address best, uint256 bestPrice) {
        // What the job needs is the same for every bidder: built once, not per bid.
        Ranked memory r = _rank(JobEscrow.requirement(p, job, spec), peers, bidders, words, job, spec);
        if (r.walker != address(0)) _forfeit(p, peers.registry, jobId, job, spec, r.walker);
        (best, bestPrice) = (r.best, r.price);
        if (best == address(0)) JobEscrow.cancel(ledger, jobId, job, spec);
    }

    /// @dev The best bid so far in a ranking, and the lowest bid's bidder if it walked away
    /// (one memory word for the four, so that the ranking fits the stack).
    struct Ranked {
        address best;
        uint256 price;
        uint256 rank;
        address walker;
    }

    /// @dev The best eligible bid (zero: none), every bid ranked; a bid above the best so far is
    /// skipped unread. `walker` is the lowest bid's bidder (the earliest at the lowest price)
    /// when it is not eligible any more, else zero; the lowest bid is never skipped.
    function _rank(
        IProviderRegistry.Requirement memory req,
        JobEscrow.Peers memory peers,
        mapping(uint256 => address) storage bidders,
        mapping(address => uint256) storage words,
        JobEscrow.StoredJob storage job,
        IJobMarket.JobSpec storage spec
    ) private view returns (Ranked memory r) {
        // (`bidCount` is read each round, warm, and the price from the word: the stack is full.)
        for (uint256 k = 0; k < job.bidCount; ++k) {
            address candidate = bidders[k];
            uint256 word = words[candidate];
            if (r.best != address(0) && word >> 40 > r.price) continue;
            (IJobMarket.Ineligibility reason, uint256 score) = JobEscrow.eligibility(peers, job, spec, req, candidate);
            if (reason != IJobMarket.Ineligibility.NONE) {
                if (k + 1 == job.bestIndex) r.walker = candidate;
                continue;
            }
            // At one price the higher reputation ranks first, then the earlier (lower) sequence:
            // one number to compare. Scores are below 10,000 bps; sequences fit in 32 bits.
            uint256 rank = (score << 32) | (type(uint32).max - uint32(word >> 8));
            if (r.best == address(0) || word >> 40 < r.price || rank > r.rank) {
                (r.best, r.price, r.rank) = (candidate, word >> 40, rank);
            }
        }
    }

    /// @dev The lowest bidder was not eligible when the auction closed (it unstaked,
    /// deregistered, took other work, was jailed...): it forfeits `bidForfeitBps` of the
    /// collateral the job asks for, rounded up, from its stake (free, then unbonding) to the
    /// buyer, and the registry jails it. Walking away from a bid so costs the bidder, and filling
    /// a book to make an auction fail costs one forfeit per auction.
    function _forfeit(
        MarketGovernance.Params storage p,
        IProviderRegistry registry,
        uint256 jobId,
        JobEscrow.StoredJob storage job,
        IJobMarket.JobSpec storage spec,
        address bidder
    ) private {
        uint256 amount = JobEscrow.collateralFor(p, spec).bpsUp(p.bidForfeitBps);
        // No collateral (a zero floor and none named): nothing to forfeit.
        if (amount == 0) return;
        // Lock id 0 is no job's: the slash takes free stake, then unbonding entries.
        uint256 taken = registry.slash(bidder, amount, job.buyer, 0);
        emit IJobMarket.BidForfeited(jobId, bidder, taken);
    }

    /// @notice Pays the caller's refused payouts in `token` to `to`: the claim behind every
    /// payout a token refused (`JobEscrow.release`).
    /// @return amount Token units paid.
    function claim(JobEscrow.Ledger storage ledger, address token, address to) external returns (uint256 amount) {
        if (to == address(0)) revert IJobMarket.JobMarketZeroAddress();
        amount = ledger.claimable[token][msg.sender];
        if (amount == 0) revert IJobMarket.JobMarketNothingToClaim(msg.sender, token);
        ledger.claimable[token][msg.sender] = 0;
        ledger.claimableTotal[token] -= amount;
        emit IJobMarket.Claimed(msg.sender, token, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }
}
