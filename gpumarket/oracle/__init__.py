"""The oracle service: verifies PoGEMM commitments and job results, and votes in OracleCouncil."""
