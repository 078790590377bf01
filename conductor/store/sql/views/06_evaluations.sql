-- One row per evaluated answer (phase 'eval'): the method (`policy`), its repeat and the checkpoint as
-- columns, with the worker calls it made and the Conductor's own tokens. `conductor eval` writes run_id
-- 'eval-...' at iteration 0; a campaign's per-iteration evaluations are here too (repeat 0).
CREATE OR REPLACE VIEW evaluations AS
SELECT
    run_id AS evaluation, iteration, policy AS method, coalesce("repeat", 0) AS "repeat", checkpoint,
    task_id, source, domain, correct, faulted, parsed, n_steps, answer,
    list_sum(coalesce(steps.attempts, [])) AS calls,
    prompt_tokens + completion_tokens AS worker_tokens, cost_usd,
    coalesce(conductor_prompt_tokens, 0) + coalesce(conductor_completion_tokens, 0) AS conductor_tokens,
    latency_s, workflow, rollout_id
FROM rollouts
WHERE phase = 'eval';
