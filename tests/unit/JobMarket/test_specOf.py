from gpumarket.chain.types import JobSpec, bytes32_text

FULL_SPEC = JobSpec(
    gpu_model="H100-SXM-80GB",
    gpu_count=4,
    min_vram_gib=80,
    region="DE",
    duration=7_200,
    collateral_per_gpu_hour=25 * 10**18,
    workload_hash=b"\x0a" * 32,
    workload_uri="oci://registry.example/train:1.0 python train.py",
    min_reputation_bps=4_000,
    min_verified_tops=700,
    benchmark_required=True,
    benchmark_n=128,
    benchmark_t=16,
    benchmark_k=4,
)


def test_spec_of_returns_the_posted_spec(market, open_job):
    job_id = open_job(spec=FULL_SPEC)

    spec = market.specOf(job_id).dict()

    assert spec == {
        "gpuModel": "0x" + bytes32_text("H100-SXM-80GB").hex(),
        "gpuCount": 4,
        "minVramGiB": 80,
        "region": "0x4445",
        "duration": 7_200,
        "collateralPerGpuHour": 25 * 10**18,
        "workloadHash": "0x" + "0a" * 32,
        "workloadURI": "oci://registry.example/train:1.0 python train.py",
        "minReputationBps": 4_000,
        "minVerifiedTops": 700,
        "benchmarkRequired": True,
        "benchmarkN": 128,
        "benchmarkT": 16,
        "benchmarkK": 4,
    }


def test_spec_of_keeps_any_model_and_region_as_zero(market, open_job):
    job_id = open_job()

    spec = market.specOf(job_id).dict()

    assert (spec["gpuModel"], spec["region"]) == ("0x" + "00" * 32, "0x0000")


def test_spec_of_an_unknown_job_is_empty(market):
    spec = market.specOf(99).dict()

    assert (spec["gpuCount"], spec["duration"], spec["workloadURI"]) == (0, 0, "")
