"""The agent's store: phases survive a reopen (a restart), learning is idempotent, a reorg that
changes a challenge's seed starts it over without losing the old proof, and rewinding after a
reorg steps back exactly the actions mined after the fork."""

from __future__ import annotations

import numpy as np
import pytest
from eth_hash.auto import keccak

from gpumarket.agent.proofs import atomic_write_bytes, load_proof, save_proof
from gpumarket.agent.records import ChallengePhase, JobPhase
from gpumarket.agent.store import AgentStore, StoreMismatch
from gpumarket.pogemm import backends, spec
from gpumarket.pogemm.prover import Proof, prove

from .conftest import PROVIDER, SUBJECT, record_artifact, record_proof


def reopen(store: AgentStore) -> AgentStore:
    store.close()
    return AgentStore.open(store.state_dir, provider=PROVIDER, chain_id=1337)


def test_job_phases_survive_a_reopen(store):
    store.add_job(5, matched_block=12)
    store.set_job_details(5, deadline=1_000, challenge_id=9)
    store.set_job_phase(5, JobPhase.BENCHMARKED)

    again = reopen(store)

    job = again.job(5)
    assert (job.phase, job.matched_block, job.deadline, job.challenge_id) == (
        JobPhase.BENCHMARKED,
        12,
        1_000,
        9,
    )
    assert [j.job_id for j in again.pending_jobs()] == [5]
    again.close()


@pytest.mark.parametrize(
    ("job_phase", "challenge_phase"),
    [
        (JobPhase.REFUSED, ChallengePhase.CLOSED),
        (JobPhase.FAILED, ChallengePhase.CLOSED),
        (JobPhase.MISSED, ChallengePhase.CLOSED),
        (JobPhase.CLOSED, ChallengePhase.CLOSED),
        (JobPhase.SUBMITTED, ChallengePhase.PROVED),
        (JobPhase.BENCHMARKED, ChallengePhase.PROVED),
    ],
)
def test_a_job_ending_without_result_closes_its_uncommitted_challenge(
    store, proof, job_phase, challenge_phase
):
    record_proof(store, 7, proof)
    record_proof(store, 8, proof)
    store.mark_challenge_committed(8, proof.root, tx_block=3)
    store.add_job(SUBJECT, matched_block=10)

    store.set_job_phase(SUBJECT, job_phase)

    assert store.challenge(7).phase == challenge_phase
    assert store.challenge(8).phase == ChallengePhase.COMMITTED


def test_submitted_job_is_no_longer_pending(store):
    path = record_artifact(store, 5, b"artifact")
    store.mark_job_submitted(5, tx_block=20)

    again = reopen(store)

    job = again.job(5)
    assert (job.phase, job.tx_block, job.artifact_path) == (JobPhase.SUBMITTED, 20, str(path))
    assert again.pending_jobs() == []
    again.close()


def test_adding_a_known_job_changes_nothing(store):
    store.add_job(5, matched_block=12)
    store.set_job_phase(5, JobPhase.ARTIFACT)

    added = store.add_job(5, matched_block=40)

    assert added is False
    assert (store.job(5).phase, store.job(5).matched_block) == (JobPhase.ARTIFACT, 12)


def test_proved_challenge_survives_a_reopen_with_its_proof(store, proof):
    path = record_proof(store, 7, proof, seconds=1.25)

    again = reopen(store)

    challenge = again.challenge(7)
    assert (challenge.phase, challenge.root) == (ChallengePhase.PROVED, proof.root)
    stored = again.proof(7, proof.root)
    assert (stored.path, stored.seconds, stored.params) == (str(path), 1.25, proof.params)
    again.close()


def test_committed_challenge_is_no_longer_pending(store, proof):
    record_proof(store, 7, proof)

    store.mark_challenge_committed(7, proof.root, tx_block=30)

    assert store.challenge(7).phase == ChallengePhase.COMMITTED
    assert store.pending_challenges() == []


def test_relearning_a_challenge_with_the_same_seed_changes_nothing(store, proof):
    record_proof(store, 7, proof)
    p = proof.params

    added = store.add_challenge(7, SUBJECT, p.seed, p.n, p.steps, p.interval)

    assert added is False
    assert store.challenge(7).phase == ChallengePhase.PROVED


def test_a_new_seed_for_a_known_challenge_starts_it_over_and_keeps_the_old_proof(store, proof):
    record_proof(store, 7, proof)
    store.mark_challenge_committed(7, proof.root, tx_block=30)
    new_seed = keccak(b"after the reorg")

    added = store.add_challenge(7, SUBJECT, new_seed, 64, 8, 2)

    challenge = store.challenge(7)
    assert added is True
    assert (challenge.phase, challenge.seed, challenge.root, challenge.tx_block) == (
        ChallengePhase.OPENED,
        new_seed,
        None,
        None,
    )
    assert store.proof(7, proof.root) is not None


@pytest.mark.parametrize(
    ("phase", "after"),
    [
        (JobPhase.BENCHMARKED, JobPhase.MATCHED),
        (JobPhase.ARTIFACT, JobPhase.MATCHED),
        (JobPhase.SUBMITTED, JobPhase.SUBMITTED),
        (JobPhase.REFUSED, JobPhase.REFUSED),
    ],
)
def test_a_new_seed_sends_the_challenges_job_back_to_its_benchmark(store, proof, phase, after):
    record_proof(store, 7, proof)
    store.add_job(SUBJECT, matched_block=10)
    store.set_job_phase(SUBJECT, phase)

    store.add_challenge(7, SUBJECT, keccak(b"after the reorg"), 64, 8, 2)

    assert store.job(SUBJECT).phase == after


def test_proofs_are_keyed_by_challenge_and_root(store, proof):
    record_proof(store, 7, proof)

    assert store.proof(7, keccak(b"another root")) is None
    assert store.proof(8, proof.root) is None


def test_rewind_steps_back_only_what_was_mined_after_the_fork(store, proof):
    record_artifact(store, 1, b"one")
    record_artifact(store, 2, b"two")
    store.mark_job_submitted(1, tx_block=10)
    store.mark_job_submitted(2, tx_block=11)
    record_proof(store, 7, proof)
    store.mark_challenge_committed(7, proof.root, tx_block=11)

    jobs, challenges = store.rewind(10)

    assert (jobs, challenges) == ([2], [7])
    assert (store.job(1).phase, store.job(2).phase) == (JobPhase.SUBMITTED, JobPhase.ARTIFACT)
    assert store.job(2).tx_block is None
    assert (store.challenge(7).phase, store.challenge(7).root) == (
        ChallengePhase.PROVED,
        proof.root,
    )


def test_only_transactions_the_cursor_has_passed_await_confirmation(store, proof):
    record_artifact(store, 1, b"one")
    record_artifact(store, 2, b"two")
    store.mark_job_submitted(1, tx_block=10)
    store.mark_job_submitted(2, tx_block=11)
    record_proof(store, 7, proof)
    store.mark_challenge_committed(7, proof.root, tx_block=9)

    jobs = [j.job_id for j in store.unconfirmed_jobs(10)]
    challenges = [c.challenge_id for c in store.unconfirmed_challenges(10)]

    assert (jobs, challenges) == ([1], [7])


def test_confirmed_transactions_no_longer_await_confirmation(store, proof):
    record_artifact(store, 1, b"one")
    store.mark_job_submitted(1, tx_block=10)
    record_proof(store, 7, proof)
    store.mark_challenge_committed(7, proof.root, tx_block=9)

    store.confirm_job(1)
    store.confirm_challenge(7)

    assert (store.unconfirmed_jobs(20), store.unconfirmed_challenges(20)) == ([], [])
    assert (store.job(1).confirmed, store.challenge(7).confirmed) == (True, True)


def test_dropped_transactions_step_back_one_phase(store, proof):
    record_artifact(store, 1, b"one")
    store.mark_job_submitted(1, tx_block=10)
    record_proof(store, 7, proof)
    store.mark_challenge_committed(7, proof.root, tx_block=9)

    store.drop_submission(1, "gone")
    store.drop_commitment(7, "gone")

    job, challenge = store.job(1), store.challenge(7)
    assert (job.phase, job.tx_block, job.note) == (JobPhase.ARTIFACT, None, "gone")
    assert (challenge.phase, challenge.root, challenge.tx_block) == (
        ChallengePhase.PROVED,
        proof.root,
        None,
    )


def test_a_state_dir_is_bound_to_its_provider(store):
    store.close()

    with pytest.raises(StoreMismatch, match="provider"):
        AgentStore.open(
            store.state_dir, provider="0x00000000000000000000000000000000000000B2", chain_id=1337
        )


def test_a_state_dir_is_bound_to_its_chain(store):
    store.close()

    with pytest.raises(StoreMismatch, match="chain_id"):
        AgentStore.open(store.state_dir, provider=PROVIDER, chain_id=5)


def test_counts_are_jobs_and_challenges(store, proof):
    record_proof(store, 7, proof)
    store.add_job(1, 5)
    store.add_job(2, 6)

    assert store.counts() == (2, 1)


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "dir" / "result.bin"
    atomic_write_bytes(target, b"first")

    atomic_write_bytes(target, b"second")

    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["result.bin"]


@pytest.mark.parametrize("keep_every", [1, 2, 3])
def test_a_saved_proof_loads_with_the_same_root_and_reveals(tmp_path, params, keep_every):
    original = prove(params, backends.NumpyBackend(), keep_every=keep_every)
    positions = [(c, i) for c in range(params.intervals) for i in (0, 17, 63)]

    loaded = load_proof(save_proof(tmp_path, 7, original))

    assert loaded.root == original.root
    assert loaded.store.stored == original.store.stored
    assert loaded.reveal_many(positions) == original.reveal_many(positions)


def test_saving_a_proof_twice_keeps_the_first_directory(tmp_path, proof):
    first = save_proof(tmp_path, 7, proof)
    marker = first / "marker"
    marker.write_bytes(b"")

    second = save_proof(tmp_path, 7, proof)

    assert second == first
    assert marker.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name]


def test_a_proof_whose_leaves_were_altered_does_not_load(tmp_path, proof):
    path = save_proof(tmp_path, 7, proof)
    leaves = bytearray((path / "leaves.bin").read_bytes())
    leaves[0] ^= 1
    (path / "leaves.bin").write_bytes(bytes(leaves))

    with pytest.raises(ValueError, match="root"):
        load_proof(path)


def test_a_cheating_proof_round_trips_as_committed(tmp_path, params):
    """What the agent stores is what it committed, honest or not."""
    b = spec.b_matrix(params.seed, params.n)
    checkpoints = [x.copy() for x in spec.honest_checkpoints(params, b)]
    for x in checkpoints[1:]:
        x[1::2] = 0  # half the rows made up
    cheat = Proof.from_checkpoints(params, checkpoints, b)

    loaded = load_proof(save_proof(tmp_path, 7, cheat))

    assert loaded.root == cheat.root
    assert np.array_equal(loaded.store.rows(4, [1]), np.zeros((1, params.n), dtype=np.int8))
