// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IOracleCouncil
/// @notice M-of-N oracle verdicts on jobs and hardware attestations. Counting uses the current
/// config version only, each member votes once per subject, and each subject is final once.
interface IOracleCouncil {
    enum Verdict {
        NONE,
        OK,
        FAIL
    }

    /// @notice One subject's votes in one config version, packed into one storage slot.
    /// `okVoters` and `failVoters` are bitmaps of member indexes; `tops` is 0 until final, then,
    /// for an attestation's OK verdict, the lower median of the quorum's TOPS (so one member,
    /// voting early or late, high or low, cannot set it), and 0 for every other verdict.
    struct Tally {
        uint32 version;
        uint32 okVoters;
        uint32 failVoters;
        uint64 tops;
        Verdict verdict; // NONE until final
        bool applied; // whether the market or benchmark registry accepted the verdict
    }

    /// @notice One vote of a batch.
    struct Ballot {
        uint256 subject;
        Verdict verdict;
        uint64 measuredTops;
        bytes32 evidenceHash;
    }

    event ConfigUpdated(uint32 indexed version, address[] members, uint8 quorum);
    event VoteCast(
        uint256 indexed subject, address indexed member, uint32 indexed version, Verdict verdict, uint64 measuredTops, bytes32 evidenceHash
    );
    event VoteSkipped(uint256 indexed subject, address indexed member);
    event VerdictReached(uint256 indexed subject, uint32 indexed version, Verdict verdict, uint64 tops, bool applied);
    event CallbackFailed(uint256 indexed subject, bytes reason);
    event ParameterUpdated(bytes32 indexed name, uint256 value);
    event AddressUpdated(bytes32 indexed name, address value);

    error OracleCouncilZeroAddress();
    error OracleCouncilNotContract(address account);
    error OracleCouncilInvalidConfig(uint256 members, uint256 quorum);
    error OracleCouncilDuplicateMember(address member);
    error OracleCouncilNotMember(address caller);
    error OracleCouncilStaleConfig(uint32 given, uint32 current);
    error OracleCouncilInvalidVerdict();
    error OracleCouncilAlreadyVoted(uint256 subject, address member);
    error OracleCouncilAlreadyFinal(uint256 subject);
    error OracleCouncilInsufficientGas(uint256 available, uint256 needed);
    error OracleCouncilUnknownParameter(bytes32 name);
    error OracleCouncilParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);

    function setConfig(address[] calldata newMembers, uint8 newQuorum) external;
    function vote(uint256 subject, uint32 version, Verdict verdict, uint64 measuredTops, bytes32 evidenceHash)
        external;
    function voteBatch(uint32 version, Ballot[] calldata ballots) external;

    function configVersion() external view returns (uint32);
    function quorum() external view returns (uint8);
    function members() external view returns (address[] memory);
    function isMember(address account) external view returns (bool);
    function hasVoted(uint256 subject, address member) external view returns (bool);
    function tallyOf(uint256 subject) external view returns (Tally memory);
    function isFinal(uint256 subject) external view returns (bool);
    /// @notice The subject the council votes on for PoGEMM challenge `challengeId`: the id of the
    /// job it belongs to, or `ATTESTATION_FLAG | challengeId` for a hardware attestation.
    function subjectOfChallenge(uint256 challengeId) external view returns (uint256);
}
