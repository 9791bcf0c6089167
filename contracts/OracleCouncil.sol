// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IBenchmarkRegistry} from "../interfaces/IBenchmarkRegistry.sol";
import {IJobMarket} from "../interfaces/IJobMarket.sol";
import {IOracleCouncil} from "../interfaces/IOracleCouncil.sol";

/// @title OracleCouncil
/// @notice N oracle members (N ≤ 31) vote on subjects: a job's result (subject = job id) or a
/// hardware attestation (subject = ATTESTATION_FLAG | challenge id). A verdict is final once
/// `quorum` members of the current config agree, with quorum > N/2, so OK and FAIL can never both
/// reach it. Changing the config bumps its version and voids every vote cast under an older one.
/// The final verdict is passed on to the market or the benchmark registry; this council is their
/// `verifier`.
/// @dev A subject's tally is one storage slot (voter bitmaps, version, the recorded throughput),
/// so a job vote costs one SSTORE. An OK vote on an attestation also writes its TOPS into a
/// 64-bit lane (four members to a slot), and the verdict records the lower median of the
/// quorum's: no one member sets it. The callback runs with a fixed gas stipend that the caller must leave
/// room for, so a failed callback is a real refusal (a job past its window), never gas griefing.
contract OracleCouncil is IOracleCouncil, AccessControlDefaultAdminRules {
    /// @notice Role that sets the members and the quorum.
    bytes32 public constant ORACLE_ADMIN_ROLE = keccak256("ORACLE_ADMIN_ROLE");
    /// @notice Role that sets parameters.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Most members: the voter bitmaps are 32 bits wide.
    uint256 public constant MAX_MEMBERS = 31;
    /// @notice High bit of a subject that is a hardware attestation (the rest is the challenge id).
    uint256 public constant ATTESTATION_FLAG = 1 << 255;

    /// @notice Receives job verdicts (`recordVerdict`).
    IJobMarket public market;
    /// @notice Receives attestation verdicts (`recordAttestation`).
    IBenchmarkRegistry public benchmarkRegistry;
    /// @notice Gas given to the market or registry when a verdict becomes final.
    uint256 public callbackGas = 1_000_000;

    /// @inheritdoc IOracleCouncil
    uint32 public configVersion;
    /// @inheritdoc IOracleCouncil
    uint8 public quorum;

    address[] private _members;
    mapping(address => uint256) private _slot; // member index + 1 in the current config
    mapping(uint256 => Tally) private _tallies;
    // Attestation subjects only: each OK voter's TOPS, lane `index % 4` of word `index / 4` by
    // member index in the current config (lanes of other versions are never read: `okVoters`
    // names only this version's voters).
    mapping(uint256 => uint256[8]) private _okTops;

    /// @param market_ The job market.
    /// @param benchmarkRegistry_ The benchmark registry.
    /// @param adminDelay Delay of a DEFAULT_ADMIN transfer, in seconds.
    /// @param admin Initial default admin; also gets ORACLE_ADMIN_ROLE and GOVERNOR_ROLE.
    constructor(IJobMarket market_, IBenchmarkRegistry benchmarkRegistry_, uint48 adminDelay, address admin)
        AccessControlDefaultAdminRules(adminDelay, admin)
    {
        if (address(market_) == address(0) || address(benchmarkRegistry_) == address(0)) {
            revert OracleCouncilZeroAddress();
        }
        market = market_;
        benchmarkRegistry = benchmarkRegistry_;
        _grantRole(ORACLE_ADMIN_ROLE, admin);
        _grantRole(GOVERNOR_ROLE, admin);
    }

    // ---------------------------------------------------------------- membership

    /// @notice Replaces the members and the quorum, and bumps the config version: votes cast
    /// under the old config no longer count, on subjects that are not final yet.
    /// @param newMembers 1 to 31 distinct non-zero addresses.
    /// @param newQuorum Votes that make a verdict final: more than half the members, at most all.
    function setConfig(address[] calldata newMembers, uint8 newQuorum) external onlyRole(ORACLE_ADMIN_ROLE) {
        uint256 count = newMembers.length;
        if (count == 0 || count > MAX_MEMBERS || uint256(newQuorum) * 2 <= count || newQuorum > count) {
            revert OracleCouncilInvalidConfig(count, newQuorum);
        }
        uint256 previous = _members.length;
        for (uint256 k = 0; k < previous; ++k) {
            delete _slot[_members[k]];
        }
        delete _members;
        for (uint256 k = 0; k < count; ++k) {
            address member = newMembers[k];
            if (member == address(0)) revert OracleCouncilZeroAddress();
            if (_slot[member] != 0) revert OracleCouncilDuplicateMember(member);
            _slot[member] = k + 1;
            _members.push(member);
        }
        quorum = newQuorum;
        uint32 version = ++configVersion;
        emit ConfigUpdated(version, newMembers, newQuorum);
    }

    // ---------------------------------------------------------------- voting

    /// @notice Votes on one subject. The vote that reaches the quorum makes the verdict final and
    /// passes it on.
    /// @param subject A job id, or ATTESTATION_FLAG | challenge id.
    /// @param version The config version the member votes under (the current one).
    /// @param verdict OK or FAIL.
    /// @param measuredTops The throughput the member measured, in TOPS.
    /// @param evidenceHash Hash of the member's evidence (kept off-chain).
    function vote(uint256 subject, uint32 version, Verdict verdict, uint64 measuredTops, bytes32 evidenceHash)
        external
    {
        uint256 index = _memberIndex(version);
        if (_tallies[subject].verdict != Verdict.NONE) revert OracleCouncilAlreadyFinal(subject);
        _vote(subject, index, verdict, measuredTops, evidenceHash);
    }

    /// @notice Votes on many subjects in one transaction. A subject that is already final is
    /// skipped (another member's batch got there first); any other fault reverts the batch.
    /// @param version The current config version.
    /// @param ballots The votes.
    function voteBatch(uint32 version, Ballot[] calldata ballots) external {
        uint256 index = _memberIndex(version);
        for (uint256 k = 0; k < ballots.length; ++k) {
            Ballot calldata ballot = ballots[k];
            if (_tallies[ballot.subject].verdict != Verdict.NONE) {
                emit VoteSkipped(ballot.subject, msg.sender);
                continue;
            }
            _vote(ballot.subject, index, ballot.verdict, ballot.measuredTops, ballot.evidenceHash);
        }
    }

    // ---------------------------------------------------------------- governance

    /// @notice Sets "callbackGas" (400,000 to 10,000,000). Failing a job (two slashes, a lock
    /// release, two reputation writes and a refund) takes about 220,000 gas: the floor keeps a
    /// FAIL verdict from being lost to an out-of-gas callback.
    /// @param name The parameter's name.
    /// @param value The new value.
    function setParameter(bytes32 name, uint256 value) external onlyRole(GOVERNOR_ROLE) {
        if (name != "callbackGas") revert OracleCouncilUnknownParameter(name);
        if (value < 400_000 || value > 10_000_000) {
            revert OracleCouncilParameterOutOfBounds(name, value, 400_000, 10_000_000);
        }
        callbackGas = value;
        emit ParameterUpdated(name, value);
    }

    /// @notice Sets "market" or "benchmarkRegistry".
    /// @dev Only DEFAULT_ADMIN_ROLE, whose transfer is delayed. The target must be a contract: a
    /// call to an address without code reverts outside the callback's try, which would block every
    /// final vote.
    /// @param name The address's name.
    /// @param value The new address (a contract).
    function setAddress(bytes32 name, address value) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (value == address(0)) revert OracleCouncilZeroAddress();
        if (value.code.length == 0) revert OracleCouncilNotContract(value);
        if (name == "market") market = IJobMarket(value);
        else if (name == "benchmarkRegistry") benchmarkRegistry = IBenchmarkRegistry(value);
        else revert OracleCouncilUnknownParameter(name);
        emit AddressUpdated(name, value);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOracleCouncil
    function members() external view returns (address[] memory) {
        return _members;
    }

    /// @inheritdoc IOracleCouncil
    function isMember(address account) external view returns (bool) {
        return _slot[account] != 0;
    }

    /// @notice Whether `member` has voted on `subject` under the current config.
    function hasVoted(uint256 subject, address member) external view returns (bool) {
        uint256 slot = _slot[member];
        Tally storage tally = _tallies[subject];
        if (slot == 0 || tally.version != configVersion) return false;
        return (tally.okVoters | tally.failVoters) & (uint32(1) << (slot - 1)) != 0;
    }

    /// @notice A subject's tally. Votes of a version other than `configVersion` no longer count.
    function tallyOf(uint256 subject) external view returns (Tally memory) {
        return _tallies[subject];
    }

    /// @inheritdoc IOracleCouncil
    function isFinal(uint256 subject) external view returns (bool) {
        return _tallies[subject].verdict != Verdict.NONE;
    }

    /// @notice The subject of a job's verdict.
    function jobSubject(uint256 jobId) external pure returns (uint256) {
        return jobId;
    }

    /// @notice The subject of a hardware attestation's verdict.
    function attestationSubject(uint256 challengeId) external pure returns (uint256) {
        return ATTESTATION_FLAG | challengeId;
    }

    /// @inheritdoc IOracleCouncil
    function subjectOfChallenge(uint256 challengeId) external view returns (uint256) {
        uint256 jobId = benchmarkRegistry.challengeOf(challengeId).subject;
        return jobId != 0 ? jobId : ATTESTATION_FLAG | challengeId;
    }

    // ---------------------------------------------------------------- internals

    /// @dev The caller's member index (0 – 30) in the current config.
    function _memberIndex(uint32 version) private view returns (uint256) {
        uint256 slot = _slot[msg.sender];
        if (slot == 0) revert OracleCouncilNotMember(msg.sender);
        if (version != configVersion) revert OracleCouncilStaleConfig(version, configVersion);
        return slot - 1;
    }

    function _vote(uint256 subject, uint256 index, Verdict verdict, uint64 measuredTops, bytes32 evidenceHash) private {
        if (verdict == Verdict.NONE) revert OracleCouncilInvalidVerdict();
        Tally memory tally = _tallies[subject];
        uint32 version = configVersion;
        if (tally.version != version) {
            // Votes of an older config are void: start this version's count afresh.
            tally = Tally({version: version, okVoters: 0, failVoters: 0, tops: 0, verdict: Verdict.NONE, applied: false});
        }
        uint32 bit = uint32(1 << index); // index ≤ 30
        if ((tally.okVoters | tally.failVoters) & bit != 0) revert OracleCouncilAlreadyVoted(subject, msg.sender);
        bool attestation = subject & ATTESTATION_FLAG != 0;
        uint256 needed = quorum;
        uint256 votes;
        if (verdict == Verdict.OK) {
            tally.okVoters |= bit;
            votes = _popcount(tally.okVoters);
            // The vote that reaches the quorum needs no lane: its TOPS are at hand.
            if (attestation && votes < needed) _storeTops(subject, index, measuredTops);
        } else {
            tally.failVoters |= bit;
            votes = _popcount(tally.failVoters);
        }
        emit VoteCast(subject, msg.sender, version, verdict, measuredTops, evidenceHash);
        if (votes >= needed) {
            tally.verdict = verdict;
            // Only an attestation's OK verdict records throughput: the quorum's lower median.
            if (verdict == Verdict.OK && attestation) {
                tally.tops = _lowerMedianTops(subject, tally.okVoters & ~bit, measuredTops, votes);
            }
            // Final before the callback: the subject can never be voted on or applied again.
            _tallies[subject] = tally;
            bool applied = _apply(subject, verdict == Verdict.OK, tally.tops);
            _tallies[subject].applied = applied;
            emit VerdictReached(subject, version, verdict, tally.tops, applied);
        } else {
            _tallies[subject] = tally;
        }
    }

    /// @dev Passes a final verdict on, with `callbackGas`. Returns whether the target accepted it.
    function _apply(uint256 subject, bool ok, uint64 tops) private returns (bool) {
        uint256 gasLimit = callbackGas;
        // EIP-150 passes on at most 63/64 of what is left: make sure that is the full stipend.
        uint256 needed = gasLimit + gasLimit / 63 + 10_000;
        if (gasleft() < needed) revert OracleCouncilInsufficientGas(gasleft(), needed);
        if (subject & ATTESTATION_FLAG != 0) {
            try benchmarkRegistry.recordAttestation{gas: gasLimit}(subject & ~ATTESTATION_FLAG, ok, tops) {
                return true;
            } catch (bytes memory reason) {
                emit CallbackFailed(subject, reason);
                return false;
            }
        }
        try market.recordVerdict{gas: gasLimit}(subject, ok) {
            return true;
        } catch (bytes memory reason) {
            emit CallbackFailed(subject, reason);
            return false;
        }
    }

    /// @dev Writes member `index`'s TOPS into its lane of the subject's words.
    function _storeTops(uint256 subject, uint256 index, uint64 tops) private {
        uint256[8] storage words = _okTops[subject];
        uint256 shift = (index & 3) * 64;
        uint256 word = words[index >> 2] & ~(uint256(type(uint64).max) << shift);
        words[index >> 2] = word | (uint256(tops) << shift);
    }

    /// @dev The lower median (element `(count − 1) / 2` in ascending order) of `own` and the TOPS
    /// lanes of the other `count − 1` OK voters in `voters`: fewer than half of the quorum, high
    /// or low, cannot move it past an honest member's value. An insertion sort of at most 31
    /// values, one word read per four members.
    function _lowerMedianTops(uint256 subject, uint32 voters, uint64 own, uint256 count)
        private
        view
        returns (uint64)
    {
        uint256[8] storage words = _okTops[subject];
        uint64[] memory sorted = new uint64[](count);
        sorted[0] = own;
        uint256 filled = 1;
        uint256 word = 0;
        for (uint256 index = 0; voters != 0; ++index) {
            if ((index & 3) == 0) word = (voters & 0xF) != 0 ? words[index >> 2] : 0;
            if ((voters & 1) != 0) {
                uint64 value = uint64(word >> ((index & 3) * 64));
                uint256 k = filled;
                while (k != 0 && sorted[k - 1] > value) {
                    sorted[k] = sorted[k - 1];
                    --k;
                }
                sorted[k] = value;
                ++filled;
            }
            voters >>= 1;
        }
        return sorted[(count - 1) / 2];
    }

    function _popcount(uint32 bits) private pure returns (uint256 count) {
        while (bits != 0) {
            bits &= bits - 1;
            ++count;
        }
    }
}
