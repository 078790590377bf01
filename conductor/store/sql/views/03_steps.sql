-- One row per executed step: which worker did what, what it cost, how long it took.
CREATE OR REPLACE VIEW steps AS
SELECT
    r.run_id, r.iteration, r.phase, r.rollout_id, r.task_id, r.domain, r.policy,
    CAST(s.value ->> 'index' AS INTEGER) AS step,
    CAST(s.value ->> 'worker' AS INTEGER) AS worker,
    s.value ->> 'subtask' AS subtask,
    s.value ->> 'access' AS access,
    s.value ->> 'output' AS output,
    CAST(s.value ->> 'prompt_tokens' AS BIGINT) AS prompt_tokens,
    CAST(s.value ->> 'completion_tokens' AS BIGINT) AS completion_tokens,
    CAST(s.value ->> 'cost_usd' AS DOUBLE) AS cost_usd,
    CAST(s.value ->> 'latency_s' AS DOUBLE) AS latency_s,
    CAST(s.value ->> 'cached' AS BOOLEAN) AS cached,
    s.value ->> 'error' AS error
FROM rollouts r, json_each(CAST(r.steps AS JSON)) s;
