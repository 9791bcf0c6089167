// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IJobMarket} from "../../interfaces/IJobMarket.sol";
import {BasisPoints} from "./BasisPoints.sol";
import {JobEscrow} from "./JobEscrow.sol";
import {MarketGovernance} from "./MarketGovernance.sol";

/// @title MarketDisputes
/// @notice JobMarket's unhappy paths: a buyer's dispute and its bond, the arbiter's ruling, the
/// settlement of a dispute the arbiter left open, the failure of a job (refund and slash) that a
/// FAIL verdict, a missed result deadline, a proven fraud or a lost dispute causes, and the claim
/// of a payout a token refused.
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
