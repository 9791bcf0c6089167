"""Reading a service's Prometheus metrics as a scraper does: GET /metrics, parsed with
prometheus-client's own parser into {'name{label="value",...}': value}."""

from __future__ import annotations

import requests
from prometheus_client.parser import text_string_to_metric_families


def parse(text: str) -> dict[str, float]:
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def scrape(url: str) -> dict[str, float]:
    """The metrics at `url` (ending in /metrics)."""
    response = requests.get(url, timeout=5)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return parse(response.text)
