"""The provider agent (DESIGN.md section 6): it watches for the jobs and challenges of its
provider, runs the PoGEMM prover and trusted workloads, commits and submits on-chain, and serves
reveals and result artifacts over HTTP from state that survives a restart.

Modules: `settings` (AgentSettings), `store` (the SQLite state; its phases and tables in
`records`, the life of the transactions it sent in `lifecycle`), `proofs` (the proof files),
`workloads` (what the agent agrees to run), `api` (its HTTP routes and shapes), `server`
(aiohttp), `chain` (its chain reads, as typed views), `challenges` (prove and commit), `jobs`
(win, run and submit), `service` (the Agent loop that drives them).
"""
