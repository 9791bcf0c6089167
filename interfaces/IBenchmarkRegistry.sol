// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IBenchmarkRegistry
/// @notice PoGEMM benchmark challenges: a seed from the block after the opening, a Merkle
/// commitment of the provider's checkpoints, a sampling seed from the block after the commitment
/// (a seed left unstored past the 256-block window fails the challenge), and a cheap on-chain
/// fraud proof for checkpoint-0 rows. A hardware attestation locks a bond and a fraud bounty of
/// the provider's stake when it opens: a FAIL takes the bond, a proven fraud both; a PASS keeps
/// them locked, and open to a fraud proof, for as long as the verified TOPS count.
interface IBenchmarkRegistry {
    enum ChallengeState {
        NONE,
        OPEN,
        COMMITTED,
        PASSED,
        FAILED,
        FRAUD,
        // An attestation whose bond was released: its TOPS no longer count, or no verdict came
        // (a seed left unstored is a FAIL, not this).
        EXPIRED
    }

    struct Challenge {
        address provider;
        ChallengeState state;
        uint64 openedAt;
        uint256 subject; // the job id, or 0 for a hardware attestation
        bytes32 seed; // the challenge seed once stored (`challengeSeed` reads it before)
        bytes32 root;
        uint32 n;
        uint32 steps; // T
        uint32 interval; // K
        uint64 commitDeadline;
        uint64 committedAt;
        // The block whose successor's hash fixes the next seed: the opening's until the
        // commitment, then the commitment's.
        uint64 anchorBlock;
        bytes32 samplingSeed;
        uint64 verifiedTops;
        uint64 passedAt; // the PASS verdict's time (0 unless PASSED or EXPIRED)
        uint256 bond; // an attestation's attestationSlash when it opened (0 for a job's)
    }

    event ChallengeOpened(
        uint256 indexed challengeId, uint256 indexed subject, address indexed provider, uint32 n, uint32 steps, uint32 interval
    );
    event ChallengeSeedStored(uint256 indexed challengeId, bytes32 seed);
    event ChallengeCommitted(uint256 indexed challengeId, address indexed provider, bytes32 root, uint64 commitBlock);
    event SamplingSeedStored(uint256 indexed challengeId, bytes32 samplingSeed);
    event SeedExpired(uint256 indexed challengeId, uint64 seedBlock);
    event FraudProven(uint256 indexed challengeId, address indexed provider, address indexed prover, uint256 row, uint256 slashed);
    event AttestationVerdict(uint256 indexed challengeId, address indexed provider, bool ok, uint64 measuredTops);
    event BondReleased(uint256 indexed challengeId, address indexed provider, uint256 amount);
    event ParameterUpdated(bytes32 indexed name, uint256 value);
    event AddressUpdated(bytes32 indexed name, address value);

    error BenchmarkRegistryUnknownChallenge(uint256 challengeId);
    error BenchmarkRegistryWrongState(uint256 challengeId, ChallengeState state);
    error BenchmarkRegistryInvalidParameters(uint32 n, uint32 steps, uint32 interval);
    /// @notice A challenge's size is over one of the governance caps (`maxN`, `maxSteps`,
    /// `maxInterval`, `maxSampleOps` = K·n², `maxProverOps` = T·n³), named by `cap`.
    error BenchmarkRegistryCapExceeded(bytes32 cap, uint256 value, uint256 limit);
    error BenchmarkRegistryInvalidSubject(uint256 subject);
    error BenchmarkRegistryNotProvider(uint256 challengeId, address caller);
    error BenchmarkRegistryNotListed(address provider);
    error BenchmarkRegistryCommitWindowClosed(uint256 challengeId, uint64 deadline);
    error BenchmarkRegistryChallengeSeedNotReady(uint256 challengeId, uint64 readyAtBlock);
    error BenchmarkRegistryChallengeSeedExpired(uint256 challengeId);
    error BenchmarkRegistrySamplingSeedNotReady(uint256 challengeId, uint64 readyAtBlock);
    error BenchmarkRegistrySamplingSeedExpired(uint256 challengeId);
    error BenchmarkRegistryRowOutOfRange(uint256 row, uint32 n);
    error BenchmarkRegistryBadRowLength(uint256 length, uint32 n);
    error BenchmarkRegistryInvalidProof(uint256 challengeId, uint256 row);
    error BenchmarkRegistryNoFraud(uint256 challengeId, uint256 row);
    error BenchmarkRegistryNotVerifier(address caller);
    error BenchmarkRegistryNotAttestation(uint256 challengeId, uint256 subject);
    error BenchmarkRegistryBondLocked(uint256 challengeId, uint64 releasableAfter);
    error BenchmarkRegistryZeroAddress();
    error BenchmarkRegistryUnknownParameter(bytes32 name);
    error BenchmarkRegistryParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);

    function open(uint256 subject, address provider, uint32 n, uint32 steps, uint32 interval)
        external
        returns (uint256 challengeId);
    function challengeSeed(uint256 challengeId) external view returns (bytes32);
    function storeChallengeSeed(uint256 challengeId) external returns (bytes32);
    function commit(uint256 challengeId, bytes32 root) external;
    function checkParameters(uint32 n, uint32 steps, uint32 interval) external view;
    function admits(uint32 n, uint32 steps, uint32 interval) external view returns (bool);
    function storeSamplingSeed(uint256 challengeId) external returns (bytes32);
    function samplingSeed(uint256 challengeId) external view returns (bytes32);
    function sampleCount(uint32 interval) external pure returns (uint256);
    function proveFraud(uint256 challengeId, uint256 row, bytes calldata values, bytes32[] calldata proof) external;
    function recordAttestation(uint256 challengeId, bool ok, uint64 measuredTops) external;
    function releaseBond(uint256 challengeId) external returns (uint256 released);
    function challengeOf(uint256 challengeId) external view returns (Challenge memory);
}

/// @title IBenchmarkFraudSink
/// @notice The market's entry point for a proven benchmark fraud on a job.
interface IBenchmarkFraudSink {
    function onBenchmarkFraud(uint256 jobId, address prover) external returns (uint256 slashed);
}
