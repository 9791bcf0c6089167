// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IBenchmarkRegistry, IBenchmarkFraudSink} from "../interfaces/IBenchmarkRegistry.sol";
import {IProviderRegistry} from "../interfaces/IProviderRegistry.sol";
import {IReputation} from "../interfaces/IReputation.sol";
import {BasisPoints} from "./libraries/BasisPoints.sol";
import {PoGemm} from "./libraries/PoGemm.sol";

/// @title BenchmarkRegistry
/// @notice PoGEMM challenges (DESIGN section 5). A challenge's seed is the hash of the block after
/// its opening, which nobody knows when the opening is sent, so the provider cannot start early.
/// The provider commits a Merkle root of its checkpoints before `benchmarkWindow` ends. The
/// samples come from the hash of the block after the commitment, never from the root, which a
/// cheater could re-roll; `sampleCount` samples are checked, enough that a block builder grinding
/// 2^40 candidate blocks gains nothing. A seed left unstored until its block leaves the 256-block
/// `blockhash` window fails the challenge: waiting never buys a second seed. A committed
/// checkpoint-0 row that differs from the generator is provable here, cheaply, and slashes the
/// provider. A hardware attestation locks, when it opens, its bond (`attestationSlash`) and beside
/// it a fraud bounty (`finderFeeBps` of the bond) from the provider's free stake: a FAIL verdict
/// slashes the bond to the treasury and returns the bounty, a proven fraud slashes both, the
/// bounty to the prover; a PASS keeps both locked, and the fraud proof open, until the verified
/// TOPS stop counting (`Reputation.maxTopsAge`), when anyone may release them. A self-proven fraud
/// thus costs what a FAIL does, as on a job.
contract BenchmarkRegistry is IBenchmarkRegistry, AccessControlDefaultAdminRules {
    using BasisPoints for uint256;

    /// @notice Role of the market, which opens challenges for jobs.
    bytes32 public constant OPENER_ROLE = keccak256("OPENER_ROLE");
    /// @notice Role that sets parameters.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Largest matrix size: a checkpoint-0 fraud proof regenerates one row on-chain, about
    /// 1M gas at n = 8192, so 16384 keeps it well inside a block.
    uint32 public constant MAX_N = 16_384;
    /// @notice Most multiply-adds per second of any GPU in the package's catalogue at its int8
    /// dense datasheet rate (B200: 4,500 TOPS). `maxProverOps` never exceeds what it does in one
    /// `benchmarkWindow`, so no cap can admit a benchmark that no GPU could commit in time.
    uint256 public constant MAX_PROVER_RATE = 2.25e15;
    /// @notice Ceiling of `maxSteps`: (2^24 / K + 1)·n leaves keep the Merkle tree under 2^39.
    uint32 public constant MAX_STEPS = 2 ** 24;
    /// @notice Ceiling of `maxInterval`: the K sequential steps an oracle runs per challenge.
    uint32 public constant MAX_INTERVAL = 2 ** 16;
    /// @notice Ceiling of `maxSampleOps` (K·n² multiply-adds of one sample): with at most 145
    /// samples, 1.6e14 multiply-adds per challenge.
    uint64 public constant MAX_SAMPLE_OPS = 2 ** 40;
    /// @dev `sampleCount(K)` for K = 1 ... 21, one byte each; 64 for every larger K.
    bytes32 private constant _SAMPLE_COUNTS = hex"916759524e4b494746454444434342424241414141";
    /// @dev `sampleCount(K)` for K > 21.
    uint256 private constant _MIN_SAMPLES = 64;

    /// @notice Staking and slashing.
    IProviderRegistry public immutable registry;
    /// @notice Verified throughput is recorded here.
    IReputation public immutable reputation;
    /// @notice The market told about frauds on jobs (zero: no market yet).
    address public market;
    /// @notice The one address whose attestation verdicts count (the oracle council).
    address public verifier;
    /// @notice Receives the non-finder share of attestation slashes.
    address public treasury;

    /// @notice Seconds from opening within which the root must be committed.
    uint64 public benchmarkWindow = 1 hours;
    /// @notice The bond a hardware attestation locks from the provider's free stake when it
    /// opens, slashed to the treasury on a FAIL or a proven fraud (GMKT units; at least 1 GMKT).
    uint256 public attestationSlash = 100 ether;
    /// @notice The fraud bounty an attestation locks beside its bond, in basis points of the
    /// bond (rounded up): a proven fraud pays it to the prover, every other end returns it.
    uint256 public finderFeeBps = 5_000;
    /// @notice Challenges opened so far; ids start at 1.
    uint256 public challengeCount;

    /// @dev The caps on a challenge's sizes, read together by `checkParameters` (one slot).
    /// Widths follow the setter's bounds: maxProverOps ≤ 7 days × MAX_PROVER_RATE < 2^71.
    struct Caps {
        uint32 maxN;
        uint32 maxSteps;
        uint32 maxInterval;
        uint64 maxSampleOps;
        uint96 maxProverOps;
    }

    // Defaults (DESIGN 5.8): n up to MAX_N; T up to 2^20; K up to 1,024; a sample's K·n² up to
    // 2^34 (n = 8192 at K = 256); a prover's T·n³ up to 2^58, 12 minutes of an H100 at the 40%
    // attestation bar, a fifth of the default window.
    Caps private _caps = Caps({
        maxN: MAX_N,
        maxSteps: 2 ** 20,
        maxInterval: 1_024,
        maxSampleOps: 2 ** 34,
        maxProverOps: 2 ** 58
    });

    /// @dev A challenge as stored: the fields written at opening in slots 0-1 (and an attestation's
    /// bond in slot 5), the challenge seed in slot 2, those written at the commitment in slots 1
    /// and 3, a PASS verdict's in slot 5, so each step writes as few new slots as it can. `anchorBlock` is the block whose successor's hash fixes the next seed: the
    /// opening's block until the commitment (the challenge seed is stored by then), the
    /// commitment's after.
    struct StoredChallenge {
        // slot 0
        address provider;
        ChallengeState state;
        uint40 openedAt;
        uint40 commitDeadline;
        // slot 1
        uint64 subject; // the job id (ids are sequential: 2^64 is never reached), or 0
        uint32 n;
        uint32 steps;
        uint32 interval;
        uint40 committedAt;
        uint40 anchorBlock;
        // slots 2-5
        bytes32 seed;
        bytes32 root;
        bytes32 samplingSeed;
        uint64 verifiedTops;
        uint40 passedAt;
        uint96 bond; // an attestation's, written at opening: attestationSlash ≤ 1e27 < 2^96
    }

    mapping(uint256 => StoredChallenge) private _challenges;

    constructor(IProviderRegistry registry_, IReputation reputation_, address treasury_, uint48 adminDelay, address admin)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        if (address(registry_) == address(0) || address(reputation_) == address(0) || treasury_ == address(0)) {
            revert BenchmarkRegistryZeroAddress();
        }
        registry = registry_;
        reputation = reputation_;
        treasury = treasury_;
        _grantRole(GOVERNOR_ROLE, admin);
    }

    /// @notice Opens a challenge: by the market for a job (OPENER_ROLE), or by a listed provider
    /// for a hardware attestation of itself (`subject` 0). An attestation locks its bond and its
    /// fraud bounty from the provider's free stake (`ProviderRegistryInsufficientFreeStake` when
    /// short; `ProviderRegistryJailed` while jailed).
    /// @param subject The job id, or 0 for an attestation.
    /// @param provider The provider that must run the benchmark.
    /// @param n Matrix size, a multiple of 64.
    /// @param steps T, the number of GEMM steps.
    /// @param interval K, the checkpoint interval; divides T.
    /// @return challengeId The new challenge.
    function open(uint256 subject, address provider, uint32 n, uint32 steps, uint32 interval)
        external
        returns (uint256 challengeId)
    {
        if (subject != 0 || msg.sender != provider) {
            _checkRole(OPENER_ROLE);
        } else if (!registry.isListed(provider)) {
            revert BenchmarkRegistryNotListed(provider);
        }
        checkParameters(n, steps, interval);
        if (subject > type(uint64).max) revert BenchmarkRegistryInvalidSubject(subject);
        challengeId = ++challengeCount;
        StoredChallenge storage c = _challenges[challengeId];
        c.provider = provider;
        c.state = ChallengeState.OPEN;
        c.openedAt = uint40(block.timestamp);
        // The window is at most 7 days: both times fit in 40 bits for 30,000 years.
        c.commitDeadline = uint40(block.timestamp + benchmarkWindow);
        c.subject = uint64(subject);
        c.n = n;
        c.steps = steps;
        c.interval = interval;
        // The seed comes from the next block's hash (`challengeSeed`); 40 bits of block numbers
        // last 8,000 years at 4 blocks a second.
        c.anchorBlock = uint40(block.number);
        emit ChallengeOpened(challengeId, subject, provider, n, steps, interval);
        if (subject == 0) _lockBond(c, challengeId, provider);
    }

    /// @notice Reverts unless a challenge of these sizes may open now: n a positive multiple of
    /// 64, T and K positive with K dividing T (else `BenchmarkRegistryInvalidParameters`), and
    /// each governance cap met (else `BenchmarkRegistryCapExceeded` naming the first one over, in
    /// the order maxN, maxSteps, maxInterval, maxSampleOps, maxProverOps). `open` and the market's
    /// `postJob` call it; the CLI calls it before sending.
    /// @dev An oracle's work per challenge is S·K·n² ≤ S × maxSampleOps multiply-adds (S ≤ 145).
    /// @param n Matrix size.
    /// @param steps T.
    /// @param interval K.
    function checkParameters(uint32 n, uint32 steps, uint32 interval) public view {
        if (!_validShape(n, steps, interval)) revert BenchmarkRegistryInvalidParameters(n, steps, interval);
        (bytes32 cap, uint256 value, uint256 limit) = _capExceeded(n, steps, interval);
        if (cap != 0) revert BenchmarkRegistryCapExceeded(cap, value, limit);
    }

    /// @notice Whether `checkParameters` passes: a challenge of these sizes may open now.
    /// @param n Matrix size.
    /// @param steps T.
    /// @param interval K.
    function admits(uint32 n, uint32 steps, uint32 interval) external view returns (bool) {
        (bytes32 cap,,) = _capExceeded(n, steps, interval);
        return _validShape(n, steps, interval) && cap == 0;
    }

    /// @notice The challenge seed, keccak256(abi.encode(challengeId, blockhash(openBlock + 1))):
    /// stored, or readable from the block after the opening while `blockhash` reaches it.
    /// @dev Nobody knows that hash when the opening is sent; the builder of block openBlock + 1
    /// chooses it among the candidates it can build, which buys nothing, every seed being as
    /// much work (SECURITY.md, Seeds).
    /// @param challengeId The challenge.
    /// @return seed The seed.
    function challengeSeed(uint256 challengeId) external view returns (bytes32 seed) {
        StoredChallenge storage c = _known(challengeId);
        seed = c.seed;
        if (seed != bytes32(0)) return seed;
        if (c.state != ChallengeState.OPEN) revert BenchmarkRegistryWrongState(challengeId, c.state);
        seed = _challengeSeed(challengeId, c.anchorBlock);
        if (seed == bytes32(0)) revert BenchmarkRegistryChallengeSeedExpired(challengeId);
    }

    /// @notice Stores the challenge seed (anyone; `commit` stores it too when nobody has). If the
    /// hash of the block after the opening has left the 256-block window unstored, the challenge
    /// fails instead (`SeedExpired`; an attestation's bond is slashed as on a FAIL).
    /// @param challengeId The challenge.
    /// @return seed The stored seed (zero when the challenge expired).
    function storeChallengeSeed(uint256 challengeId) external returns (bytes32 seed) {
        StoredChallenge storage c = _known(challengeId);
        seed = c.seed;
        if (seed != bytes32(0)) return seed;
        if (c.state != ChallengeState.OPEN) revert BenchmarkRegistryWrongState(challengeId, c.state);
        seed = _challengeSeed(challengeId, c.anchorBlock);
        if (seed == bytes32(0)) {
            _expire(challengeId, c);
        } else {
            c.seed = seed;
            emit ChallengeSeedStored(challengeId, seed);
        }
    }

    /// @notice The provider commits the Merkle root of its checkpoint rows, storing the challenge
    /// seed if nobody has.
    /// @param challengeId The challenge.
    /// @param root sha256 Merkle root over leaf(c, i) for c = 0..T/K, i = 0..n-1.
    function commit(uint256 challengeId, bytes32 root) external {
        StoredChallenge storage c = _known(challengeId);
        if (msg.sender != c.provider) revert BenchmarkRegistryNotProvider(challengeId, msg.sender);
        if (c.state != ChallengeState.OPEN) revert BenchmarkRegistryWrongState(challengeId, c.state);
        if (block.timestamp > c.commitDeadline) revert BenchmarkRegistryCommitWindowClosed(challengeId, c.commitDeadline);
        if (c.seed == bytes32(0)) {
            bytes32 seed = _challengeSeed(challengeId, c.anchorBlock);
            // Expired unstored: `storeChallengeSeed` fails the challenge (a revert here could not).
            if (seed == bytes32(0)) revert BenchmarkRegistryChallengeSeedExpired(challengeId);
            c.seed = seed;
            emit ChallengeSeedStored(challengeId, seed);
        }
        c.state = ChallengeState.COMMITTED;
        c.root = root;
        c.committedAt = uint40(block.timestamp);
        c.anchorBlock = uint40(block.number);
        emit ChallengeCommitted(challengeId, msg.sender, root, uint64(block.number));
    }

    /// @notice Stores the sampling seed, the hash of the block after the commitment. If that hash
    /// has left the 256-block window unstored, the challenge fails instead (`SeedExpired`; an
    /// attestation's bond is slashed as on a FAIL): waiting never buys a second seed.
    /// @param challengeId The challenge.
    /// @return The stored seed (zero when the challenge expired).
    function storeSamplingSeed(uint256 challengeId) external returns (bytes32) {
        StoredChallenge storage c = _known(challengeId);
        if (c.samplingSeed != bytes32(0)) return c.samplingSeed;
        if (c.state != ChallengeState.COMMITTED) revert BenchmarkRegistryWrongState(challengeId, c.state);
        bytes32 hash = _samplingHash(challengeId, c.anchorBlock);
        if (hash == bytes32(0)) {
            _expire(challengeId, c);
            return bytes32(0);
        }
        c.samplingSeed = hash;
        emit SamplingSeedStored(challengeId, hash);
        return hash;
    }

    /// @notice The sampling seed: stored, or readable from the block after the commitment.
    /// @param challengeId The challenge.
    function samplingSeed(uint256 challengeId) external view returns (bytes32) {
        StoredChallenge storage c = _known(challengeId);
        if (c.samplingSeed != bytes32(0)) return c.samplingSeed;
        if (c.state != ChallengeState.COMMITTED) revert BenchmarkRegistryWrongState(challengeId, c.state);
        bytes32 hash = _samplingHash(challengeId, c.anchorBlock);
        if (hash == bytes32(0)) revert BenchmarkRegistrySamplingSeedExpired(challengeId);
        return hash;
    }

    /// @notice Samples S the verifier checks for a challenge of checkpoint interval K: the least
    /// S (at least 64) with 2^40 · phi^S ≤ 2^-20, where phi = (K/2 + 1)/(K + 1) is the largest
    /// fraction of consistent units a provider can reach with half the work (DESIGN 5.6), so a
    /// block builder trying 2^40 candidate sampling seeds passes half the work with probability at
    /// most 2^-20. 145 at K = 1, 103 at K = 2, 82 at K = 4, 71 at K = 8, 66 at K = 16, 64 from
    /// K = 22 (`gpumarket.pogemm.soundness.sample_count` derives the table).
    /// @param interval K, at least 1.
    /// @return The sample count.
    function sampleCount(uint32 interval) external pure returns (uint256) {
        if (interval == 0) revert BenchmarkRegistryInvalidParameters(0, 0, 0);
        if (interval > 21) return _MIN_SAMPLES;
        return uint8(_SAMPLE_COUNTS[interval - 1]);
    }

    /// @notice Proves that the committed checkpoint-0 row `row` is not the generator's. Slashes
    /// the provider: for a job the market fails it (refund, collateral to buyer and prover); for
    /// an attestation its bond goes to the treasury and its fraud bounty to the prover.
    /// An attestation stays provable after a PASS until its bond is released, and then its
    /// provider's verified TOPS are cleared.
    /// @param challengeId The challenge.
    /// @param row The row index i.
    /// @param values The committed row as n int8 bytes.
    /// @param proof The Merkle proof of leaf(0, row) at index row.
    function proveFraud(uint256 challengeId, uint256 row, bytes calldata values, bytes32[] calldata proof) external {
        StoredChallenge storage c = _known(challengeId);
        ChallengeState state = c.state;
        // Only an attestation is ever PASSED (a job's verdict is the market's).
        if (state != ChallengeState.COMMITTED && state != ChallengeState.PASSED) {
            revert BenchmarkRegistryWrongState(challengeId, state);
        }
        if (row >= c.n) revert BenchmarkRegistryRowOutOfRange(row, c.n);
        if (values.length != c.n) revert BenchmarkRegistryBadRowLength(values.length, c.n);
        // Leaf index c·n + i with c = 0 is the row itself; the tree has (T/K + 1)·n real leaves.
        bytes32 leaf = PoGemm.leaf(0, uint32(row), values);
        uint256 leafCount = (uint256(c.steps) / c.interval + 1) * c.n;
        if (!PoGemm.verifyProof(c.root, leaf, row, proof, leafCount)) {
            revert BenchmarkRegistryInvalidProof(challengeId, row);
        }
        if (keccak256(values) == keccak256(PoGemm.rowX0(c.seed, c.n, row))) {
            revert BenchmarkRegistryNoFraud(challengeId, row);
        }
        c.state = ChallengeState.FRAUD;
        uint256 slashed = 0;
        if (c.subject != 0) {
            slashed = IBenchmarkFraudSink(market).onBenchmarkFraud(c.subject, msg.sender);
            emit FraudProven(challengeId, c.provider, msg.sender, row, slashed);
        } else {
            address provider = c.provider;
            slashed = _slashBond(c, challengeId, provider, msg.sender);
            if (state == ChallengeState.PASSED) reputation.clearVerifiedTops(provider, type(uint64).max);
            emit FraudProven(challengeId, provider, msg.sender, row, slashed);
        }
    }

    /// @notice The verifier's verdict on a hardware attestation: a pass records the measured
    /// throughput in Reputation and keeps the bond and bounty locked (`releaseBond`); a fail
    /// slashes the bond to the treasury and returns the bounty to the provider's free stake.
    /// @param challengeId The challenge (subject 0).
    /// @param ok Whether the proof verified and the throughput met the claim.
    /// @param measuredTops The verified throughput, in TOPS.
    function recordAttestation(uint256 challengeId, bool ok, uint64 measuredTops) external {
        if (msg.sender != verifier) revert BenchmarkRegistryNotVerifier(msg.sender);
        StoredChallenge storage c = _known(challengeId);
        // Job challenges are judged through the market; a pass needs a commitment to have checked.
        if (c.subject != 0) revert BenchmarkRegistryNotAttestation(challengeId, c.subject);
        if (c.state != ChallengeState.COMMITTED && (ok || c.state != ChallengeState.OPEN)) {
            revert BenchmarkRegistryWrongState(challengeId, c.state);
        }
        address provider = c.provider;
        if (ok) {
            c.state = ChallengeState.PASSED;
            c.verifiedTops = measuredTops;
            c.passedAt = uint40(block.timestamp);
            reputation.recordVerifiedTops(provider, measuredTops);
        } else {
            c.state = ChallengeState.FAILED;
            _slashBond(c, challengeId, provider, address(0));
        }
        emit AttestationVerdict(challengeId, provider, ok, measuredTops);
    }

    /// @notice Releases an attestation's bond and bounty to the provider's free stake once it
    /// has nothing left to answer for: a PASS whose TOPS no longer count (`passedAt + maxTopsAge`
    /// has gone by; the TOPS it recorded are cleared), or an attestation the verifier never
    /// judged (`commitDeadline + maxTopsAge`). Anyone may call it; the challenge becomes EXPIRED.
    /// @param challengeId The attestation.
    /// @return released The bond and bounty returned to free stake.
    function releaseBond(uint256 challengeId) external returns (uint256 released) {
        StoredChallenge storage c = _known(challengeId);
        if (c.subject != 0) revert BenchmarkRegistryNotAttestation(challengeId, c.subject);
        ChallengeState state = c.state;
        uint40 passedAt = c.passedAt;
        // A verdict never came: the count starts at the commit deadline.
        uint256 from = c.commitDeadline;
        if (state == ChallengeState.PASSED) from = passedAt;
        else if (state != ChallengeState.OPEN && state != ChallengeState.COMMITTED) {
            revert BenchmarkRegistryWrongState(challengeId, state);
        }
        uint256 releasableAfter = from + reputation.maxTopsAge();
        if (block.timestamp <= releasableAfter) {
            revert BenchmarkRegistryBondLocked(challengeId, uint64(releasableAfter));
        }
        c.state = ChallengeState.EXPIRED;
        address provider = c.provider;
        released = registry.releaseCollateral(challengeId);
        if (state == ChallengeState.PASSED) reputation.clearVerifiedTops(provider, passedAt);
        emit BondReleased(challengeId, provider, released);
    }

    /// @notice Sets "benchmarkWindow", "attestationSlash" (1 GMKT..1e27: an attestation always
    /// has a bond), "finderFeeBps" (0..10,000; both read when an attestation opens) or a cap:
    /// "maxN" (64..MAX_N), "maxSteps" (1..MAX_STEPS), "maxInterval" (1..MAX_INTERVAL),
    /// "maxSampleOps" (4,096..MAX_SAMPLE_OPS) or "maxProverOps" (2^18..benchmarkWindow ×
    /// MAX_PROVER_RATE).
    /// @dev The window is at least 1 minute and long enough for maxProverOps at MAX_PROVER_RATE.
    /// A lowered cap applies to challenges opened from then on, a posted job's match included
    /// (its buyer may then cancel it, bids or not: JobMarket.cancel).
    /// @param name The parameter's name.
    /// @param value The new value.
    function setParameter(bytes32 name, uint256 value) external onlyRole(GOVERNOR_ROLE) {
        if (name == "benchmarkWindow") {
            uint256 least = Math.max(1 minutes, Math.ceilDiv(_caps.maxProverOps, MAX_PROVER_RATE));
            benchmarkWindow = uint64(_bounded(name, value, least, 7 days));
        } else if (name == "attestationSlash") {
            attestationSlash = _bounded(name, value, 1 ether, 1e27);
        } else if (name == "finderFeeBps") {
            finderFeeBps = _bounded(name, value, 0, BasisPoints.MAX_BPS);
        } else if (name == "maxN") {
            _caps.maxN = uint32(_bounded(name, value, 64, MAX_N));
        } else if (name == "maxSteps") {
            _caps.maxSteps = uint32(_bounded(name, value, 1, MAX_STEPS));
        } else if (name == "maxInterval") {
            _caps.maxInterval = uint32(_bounded(name, value, 1, MAX_INTERVAL));
        } else if (name == "maxSampleOps") {
            _caps.maxSampleOps = uint64(_bounded(name, value, 64 * 64, MAX_SAMPLE_OPS));
        } else if (name == "maxProverOps") {
            _caps.maxProverOps = uint96(_bounded(name, value, 64 ** 3, benchmarkWindow * MAX_PROVER_RATE));
        } else {
            revert BenchmarkRegistryUnknownParameter(name);
        }
        emit ParameterUpdated(name, value);
    }

    /// @notice Sets "market", "verifier" or "treasury".
    function setAddress(bytes32 name, address value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == address(0)) revert BenchmarkRegistryZeroAddress();
        if (name == "market") market = value;
        else if (name == "verifier") verifier = value;
        else if (name == "treasury") treasury = value;
        else revert BenchmarkRegistryUnknownParameter(name);
        emit AddressUpdated(name, value);
    }

    /// @notice Largest n a challenge may have (a multiple of 64 up to it).
    function maxN() external view returns (uint256) {
        return _caps.maxN;
    }

    /// @notice Largest T.
    function maxSteps() external view returns (uint256) {
        return _caps.maxSteps;
    }

    /// @notice Largest K.
    function maxInterval() external view returns (uint256) {
        return _caps.maxInterval;
    }

    /// @notice Most K·n² multiply-adds: an oracle's work for one sample (K steps of one row).
    function maxSampleOps() external view returns (uint256) {
        return _caps.maxSampleOps;
    }

    /// @notice Most T·n³ multiply-adds: the prover's work, which must fit in `benchmarkWindow`.
    function maxProverOps() external view returns (uint256) {
        return _caps.maxProverOps;
    }

    /// @notice A challenge.
    function challengeOf(uint256 challengeId) external view returns (Challenge memory challenge) {
        StoredChallenge storage c = _challenges[challengeId];
        challenge.provider = c.provider;
        challenge.state = c.state;
        challenge.openedAt = c.openedAt;
        challenge.subject = c.subject;
        challenge.seed = c.seed;
        challenge.root = c.root;
        challenge.n = c.n;
        challenge.steps = c.steps;
        challenge.interval = c.interval;
        challenge.commitDeadline = c.commitDeadline;
        challenge.committedAt = c.committedAt;
        challenge.anchorBlock = c.anchorBlock;
        challenge.samplingSeed = c.samplingSeed;
        challenge.verifiedTops = c.verifiedTops;
        challenge.passedAt = c.passedAt;
        challenge.bond = c.bond;
    }

    /// @notice Lower bound of the provider's throughput, 2·n³·T / (commit time − open time), in
    /// operations per second (0 before the commitment).
    function claimedOpsPerSecond(uint256 challengeId) external view returns (uint256) {
        StoredChallenge storage c = _challenges[challengeId];
        if (c.committedAt == 0) return 0;
        uint256 elapsed = c.committedAt > c.openedAt ? c.committedAt - c.openedAt : 1;
        return 2 * uint256(c.n) ** 3 * c.steps / elapsed;
    }

    /// @dev Locks an attestation's bond (`attestationSlash`) and its fraud bounty (`finderFeeBps`
    /// of the bond, rounded up) as this registry's lock `challengeId`, without GPUs: neither
    /// unstaking nor job collateral can shelter the stake behind them.
    function _lockBond(StoredChallenge storage c, uint256 challengeId, address provider) private {
        uint256 bond = attestationSlash;
        c.bond = uint96(bond);
        registry.lockCollateral(provider, challengeId, bond + bond.bpsUp(finderFeeBps), 0);
    }

    /// @dev Slashes an attestation's bond to the treasury and, when `prover` is set, its bounty
    /// (what is left of the lock) to the prover; frees the lock, which returns a FAIL's bounty.
    function _slashBond(StoredChallenge storage c, uint256 challengeId, address provider, address prover)
        private
        returns (uint256 slashed)
    {
        slashed = registry.slash(provider, c.bond, treasury, challengeId);
        if (prover != address(0)) {
            uint256 bounty = registry.lockOf(address(this), challengeId).amount;
            if (bounty != 0) slashed += registry.slash(provider, bounty, prover, challengeId);
        }
        registry.releaseCollateral(challengeId);
        reputation.recordSlash(provider);
    }

    /// @dev keccak256(abi.encode(challengeId, blockhash(openBlock + 1))), or zero when that hash
    /// has left the window (reverts while it has no successor).
    function _challengeSeed(uint256 challengeId, uint256 openBlock) private view returns (bytes32) {
        uint256 seedBlock = openBlock + 1;
        if (block.number <= seedBlock) revert BenchmarkRegistryChallengeSeedNotReady(challengeId, uint64(seedBlock + 1));
        bytes32 hash = blockhash(seedBlock);
        return hash == bytes32(0) ? bytes32(0) : keccak256(abi.encode(challengeId, hash));
    }

    /// @dev blockhash(commitBlock + 1), or zero when it has left the window (reverts while it has
    /// no successor).
    function _samplingHash(uint256 challengeId, uint256 commitBlock) private view returns (bytes32) {
        uint256 seedBlock = commitBlock + 1;
        if (block.number <= seedBlock) revert BenchmarkRegistrySamplingSeedNotReady(challengeId, uint64(seedBlock + 1));
        return blockhash(seedBlock);
    }

    /// @dev A seed left unstored past the window fails the challenge: its block's hash is gone, and
    /// a fresh one would be a second draw. For a job the council then votes it FAILED; an
    /// attestation's bond is slashed as on a FAIL verdict (anyone, its provider included, could
    /// have stored the seed).
    function _expire(uint256 challengeId, StoredChallenge storage c) private {
        c.state = ChallengeState.FAILED;
        emit SeedExpired(challengeId, uint64(c.anchorBlock) + 1);
        if (c.subject == 0) _slashBond(c, challengeId, c.provider, address(0));
    }

    function _known(uint256 challengeId) private view returns (StoredChallenge storage c) {
        c = _challenges[challengeId];
        if (c.state == ChallengeState.NONE) revert BenchmarkRegistryUnknownChallenge(challengeId);
    }

    function _validShape(uint32 n, uint32 steps, uint32 interval) private pure returns (bool) {
        return n != 0 && n % 64 == 0 && interval != 0 && steps != 0 && steps % interval == 0;
    }

    /// @dev The first cap the sizes are over, in the order maxN, maxSteps, maxInterval,
    /// maxSampleOps, maxProverOps, with the value it bounds and its limit (zero name: none).
    function _capExceeded(uint32 n, uint32 steps, uint32 interval)
        private
        view
        returns (bytes32 cap, uint256 value, uint256 limit)
    {
        Caps memory caps = _caps;
        // n is at most MAX_N where K·n² and T·n³ are computed: below 2^60 and 2^74, no overflow.
        if (n > caps.maxN) return ("maxN", n, caps.maxN);
        if (steps > caps.maxSteps) return ("maxSteps", steps, caps.maxSteps);
        if (interval > caps.maxInterval) return ("maxInterval", interval, caps.maxInterval);
        uint256 square = uint256(n) * n;
        if (square * interval > caps.maxSampleOps) return ("maxSampleOps", square * interval, caps.maxSampleOps);
        if (square * n * steps > caps.maxProverOps) return ("maxProverOps", square * n * steps, caps.maxProverOps);
        return (0, 0, 0);
    }

    function _bounded(bytes32 name, uint256 value, uint256 min, uint256 max) private pure returns (uint256) {
        if (value < min || value > max) revert BenchmarkRegistryParameterOutOfBounds(name, value, min, max);
        return value;
    }
}
