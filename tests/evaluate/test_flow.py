"""The evaluate flow on Prefect's ephemeral API: the same evaluation as `conductor eval`, and its table and
markdown artifacts under their stable keys."""

from __future__ import annotations

import asyncio
import os

import pytest

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")  # a loaded CI machine

pytestmark = pytest.mark.slow


def test_the_evaluate_flow_publishes_its_table_and_workflows(home, tiny_dir):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from conductor.iteration.evaluation import EvalRequest
    from conductor_flows.evaluate import TABLE_KEY, WORKFLOWS_KEY, evaluate_flow

    out = evaluate_flow(
        EvalRequest(
            checkpoint=str(tiny_dir),
            sources=["synthetic-arith"],
            tasks=3,
            repeats=1,
            methods=["single:0,moa"],
            track=False,
        )
    )
    assert {s["method"] for s in out["summaries"]} == {"single:0", "moa"} and "moa" in out["table"]

    async def artifacts(key: str):
        async with get_client() as c:
            return await c.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])))

    (table,) = asyncio.run(artifacts(TABLE_KEY))[-1:]
    assert table.type == "table" and "moa" in str(table.data)
    (md,) = asyncio.run(artifacts(WORKFLOWS_KEY))[-1:]
    assert md.type == "markdown" and out["eval_id"] in str(md.description)
