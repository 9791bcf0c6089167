// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IJobMarket} from "../../interfaces/IJobMarket.sol";
import {IProviderRegistry} from "../../interfaces/IProviderRegistry.sol";
import {IReputation} from "../../interfaces/IReputation.sol";
import {BasisPoints} from "./BasisPoints.sol";
import {MarketGovernance} from "./MarketGovernance.sol";

/// @title JobEscrow
/// @notice A job as JobMarket stores it, and the escrow primitives that move its money:
/// `pullIn` (deposits and bonds), `release` (refunds, payouts, fees, bonds; a transfer the token
/// refuses becomes claimable), `settle` (pay the provider) and `fail` (refund and slash).
/// @dev Internal functions, so JobMarket and its linked MarketDisputes library run the same
/// source on the same storage; each emits JobMarket's own events.
library JobEscrow {
    using SafeERC20 for IERC20;
    using BasisPoints for uint256;

    /// @dev A job as stored: six slots, read and written a slot at a time. The `deposit` and
    /// `escrow` of the `Job` view are derived from the prices, the spec and the state, its
    /// `windowStart` from `submittedAt` and `windowDelay`.
    struct StoredJob {
        // slot 0
        address buyer;
        uint40 biddingEnds;
        uint40 startedAt;
        // slot 1: the state beside the times a result and a verdict write with it and the terms
        // every later step reads, so that `submitResult` and an OK verdict each write one slot
        // and each later step reads its deadline from this slot and one slot of terms
        address token;
        IJobMarket.JobState state;
        uint40 submittedAt;
        // Start of the dispute window, after `submittedAt`: `attestTimeout` (or 0) at the result,
        // the verdict's time after an OK verdict. Below attestTimeout + disputeWindow, which are
        // below the unbonding period (at most 365 days), so it fits in 32 bits.
        uint32 windowDelay;
        uint16 termsId; // the MarketGovernance terms version the job was matched under
        // slot 2
        address provider; // set at post for a direct assignment, else at the match
        uint40 disputedAt;
        uint8 bidCount;
        uint32 bidSeq; // per-job bid sequence: orders equal prices and reputations
        uint8 bestIndex; // while open: index + 1 of a bid at the lowest price
        uint8 bestCount; // while open: how many bids are at the lowest price
        // slot 3: prices per GPU-hour (postJob bounds the deposit, and so both, to 128 bits)
        uint128 maxPrice;
        uint128 price; // the matched price; while open, the lowest bid so far (0: no bid)
        // slot 4
        uint128 collateral; // fixed at the match: what a failure slashes
        uint128 bond; // the dispute bond, while DISPUTED
        // slot 5
        bytes32 resultHash;
    }

    /// @dev What the market owes, per token: held for jobs and bonds, and refused payouts.
    struct Ledger {
        mapping(address => uint256) escrowedTotal;
        mapping(address => uint256) claimableTotal;
        mapping(address => mapping(address => uint256)) claimable;
    }

    /// @dev The contracts a settlement or a failure calls.
    struct Peers {
        IProviderRegistry registry;
        IReputation reputation;
    }

    /// @dev What the market holds for the job: the deposit while open, the matched value until it
    /// settles or fails, nothing after.
    function escrowOf(StoredJob storage job, IJobMarket.JobSpec storage spec) internal view returns (uint256) {
        IJobMarket.JobState state = job.state;
        if (state == IJobMarket.JobState.NONE || uint8(state) >= uint8(IJobMarket.JobState.SETTLED)) return 0;
        uint256 price = state == IJobMarket.JobState.OPEN ? job.maxPrice : job.price;
        return BasisPoints.perGpuHour(price, spec.gpuCount, spec.duration);
    }

    /// @dev The collateral a match of the job locks now (before any fraud bounty): the buyer's
    /// rate per GPU-hour, or the market's floor if that is higher, times GPUs and hours. The one
    /// home of the rule: eligibility, the match, a forfeit and `collateralOf` all read it here.
    function collateralFor(MarketGovernance.Params storage p, IJobMarket.JobSpec storage spec)
        internal
        view
        returns (uint256)
    {
        uint256 rate = Math.max(spec.collateralPerGpuHour, p.collateralPerGpuHour);
        return BasisPoints.perGpuHour(rate, spec.gpuCount, spec.duration);
    }

    /// @dev What a match locks for `collateral`: for a benchmark job, the fraud bounty too.
    function lockOf(MarketGovernance.Params storage p, IJobMarket.JobSpec storage spec, uint256 collateral)
        internal
        view
        returns (uint256)
    {
        if (!spec.benchmarkRequired) return collateral;
        return collateral + fraudBounty(collateral, p.fraudBountyBps);
    }

    /// @dev What the job needs of a provider, for the registry: its token, hardware and region,
    /// and the free stake a match would lock now.
    function requirement(MarketGovernance.Params storage p, StoredJob storage job, IJobMarket.JobSpec storage spec)
        internal
        view
        returns (IProviderRegistry.Requirement memory)
    {
        return IProviderRegistry.Requirement({
            token: job.token,
            gpuModel: spec.gpuModel,
            region: spec.region,
            minVramGiB: spec.minVramGiB,
            gpus: spec.gpuCount,
            collateral: lockOf(p, spec, collateralFor(p, spec))
        });
    }

    /// @dev Why `provider` may not take the job (NONE: it may), and its reputation score (read
    /// once, since the auction ranks on it too; 0 when the registry already rules it out). The
    /// one home of eligibility: the market's bids, matches and `eligibilityOf` and the ranked
    /// close in MarketDisputes all run this source.
    function eligibility(
        Peers memory peers,
        StoredJob storage job,
        IJobMarket.JobSpec storage spec,
        IProviderRegistry.Requirement memory req,
        address provider
    ) internal view returns (IJobMarket.Ineligibility reason, uint256 score) {
        if (provider == job.buyer) return (IJobMarket.Ineligibility.IS_BUYER, 0);
        IProviderRegistry.Unfit unfit = peers.registry.unfitFor(provider, req);
        // The registry's reasons follow IS_BUYER in the same order.
        if (unfit != IProviderRegistry.Unfit.NONE) return (IJobMarket.Ineligibility(uint8(unfit) + 1), 0);
        uint64 tops;
        (score, tops) = peers.reputation.standing(provider);
        if (score < spec.minReputationBps) return (IJobMarket.Ineligibility.REPUTATION, score);
        if (spec.minVerifiedTops != 0 && tops < spec.minVerifiedTops) {
            return (IJobMarket.Ineligibility.VERIFIED_TOPS, score);
        }
        return (IJobMarket.Ineligibility.NONE, score);
    }

    /// @dev Ends an unmatched job: the whole escrow back to the buyer.
    function cancel(Ledger storage ledger, uint256 jobId, StoredJob storage job, IJobMarket.JobSpec storage spec)
        internal
    {
        uint256 refund = escrowOf(job, spec);
        job.state = IJobMarket.JobState.CANCELLED;
        emit IJobMarket.JobCancelled(jobId);
        release(ledger, jobId, job.token, job.buyer, refund, IJobMarket.Payout.REFUND);
    }

    /// @dev The terms the job was matched under.
    function termsOf(MarketGovernance.Params storage p, StoredJob storage job)
        internal
        view
        returns (MarketGovernance.Terms storage)
    {
        return p.terms[job.termsId];
    }

    /// @dev The last second a result may be submitted: `start + duration + resultGrace`.
    function resultDeadline(StoredJob storage job, IJobMarket.JobSpec storage spec, MarketGovernance.Params storage p)
        internal
        view
        returns (uint64)
    {
        return uint64(job.startedAt) + spec.duration + termsOf(p, job).resultGrace;
    }

    /// @dev The end of the dispute window: its start plus the job's `disputeWindow`.
    function windowEnd(StoredJob storage job, MarketGovernance.Params storage p) internal view returns (uint64) {
        return uint64(job.submittedAt) + job.windowDelay + termsOf(p, job).disputeWindow;
    }

    /// @dev Pays the provider `value − fee` and the treasury the fee; unlocks the collateral.
    function settle(
        Ledger storage ledger,
        MarketGovernance.Params storage p,
        Peers memory peers,
        uint256 jobId,
        StoredJob storage job,
        IJobMarket.JobSpec storage spec
    ) internal {
        uint256 value = escrowOf(job, spec);
        uint256 fee = value.bpsUp(termsOf(p, job).protocolFeeBps);
        job.state = IJobMarket.JobState.SETTLED;
        address provider = job.provider;
        address token = job.token;
        emit IJobMarket.JobSettled(jobId, provider, value - fee, fee);
        peers.registry.releaseCollateral(jobId);
        peers.reputation.recordSuccess(provider, token, value);
        release(ledger, jobId, token, provider, value - fee, IJobMarket.Payout.PROVIDER);
        release(ledger, jobId, token, p.treasury, fee, IJobMarket.Payout.FEE);
    }

    /// @dev Refunds the buyer in full and slashes the job's collateral: `slashBuyerShareBps` to
    /// the buyer, the rest to the treasury, whatever failed the job. On a proven fraud `prover`
    /// (else zero) also gets the fraud bounty, which the match locked beside the collateral and
    /// which nothing else slashes: a provider that proves its own fraud gets back only that
    /// extra, so it loses at least what any other failure would have cost it. The provider is
    /// jailed by the registry.
    function fail(
        Ledger storage ledger,
        MarketGovernance.Params storage p,
        Peers memory peers,
        uint256 jobId,
        StoredJob storage job,
        IJobMarket.JobSpec storage spec,
        address prover
    ) internal returns (uint256 slashed) {
        uint256 refund = escrowOf(job, spec);
        uint256 collateral = job.collateral;
        address provider = job.provider;
        job.state = IJobMarket.JobState.FAILED;
        if (collateral != 0) {
            MarketGovernance.Terms storage terms = termsOf(p, job);
            uint256 buyerShare = collateral.bpsDown(terms.slashBuyerShareBps);
            if (buyerShare != 0) slashed += peers.registry.slash(provider, buyerShare, job.buyer, jobId);
            if (collateral > buyerShare) {
                slashed += peers.registry.slash(provider, collateral - buyerShare, p.treasury, jobId);
            }
            if (prover != address(0) && spec.benchmarkRequired) {
                // What is left of the lock: the bounty the match locked (never zero: the rate is
                // at least 1 bp, rounded up). Only a benchmark job has a challenge, and a bounty.
                slashed += peers.registry.slash(provider, fraudBounty(collateral, terms.fraudBountyBps), prover, jobId);
            }
            peers.reputation.recordSlash(provider);
        }
        peers.registry.releaseCollateral(jobId);
        peers.reputation.recordFailure(provider);
        emit IJobMarket.JobFailed(jobId, provider, refund, slashed);
        release(ledger, jobId, job.token, job.buyer, refund, IJobMarket.Payout.REFUND);
    }

    /// @dev The fraud bounty a benchmark job locks beside `collateral`: `bountyBps` of it,
    /// rounded up, so that a finder's reward is positive whenever there is collateral.
    function fraudBounty(uint256 collateral, uint256 bountyBps) internal pure returns (uint256) {
        return collateral.bpsUp(bountyBps);
    }

    /// @dev Pulls `amount` of `token` from the caller (`msg.sender`, which the libraries'
    /// DELEGATECALL keeps) into escrow, and rejects tokens that deliver less. Only ever from the
    /// caller: nobody can make the market spend another account's allowance.
    function pullIn(Ledger storage ledger, uint256 jobId, address token, uint256 amount) internal {
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert IJobMarket.JobMarketFeeOnTransfer(token, amount, received);
        ledger.escrowedTotal[token] += amount;
        emit IJobMarket.EscrowDeposited(jobId, msg.sender, token, amount);
    }

    /// @dev Pays `amount` out of escrow; a transfer the token refuses becomes claimable by `to`.
    function release(
        Ledger storage ledger,
        uint256 jobId,
        address token,
        address to,
        uint256 amount,
        IJobMarket.Payout kind
    ) internal {
        if (amount == 0) return;
        ledger.escrowedTotal[token] -= amount;
        if (IERC20(token).trySafeTransfer(to, amount)) {
            emit IJobMarket.EscrowReleased(jobId, to, token, amount, kind);
        } else {
            ledger.claimable[token][to] += amount;
            ledger.claimableTotal[token] += amount;
            emit IJobMarket.PayoutDeferred(jobId, to, token, amount);
        }
    }
}
