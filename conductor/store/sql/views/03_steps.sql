-- One row per executed step: which worker did what, what it cost, how long it took.
-- `steps` is stored as one list per StepResult field (conductor/store/steps.py); entry i of each is step i.
-- Unnesting positions and indexing the lists (rather than unnesting the lists) lets DuckDB read only the
-- lists a query names: a cost-per-worker query reads worker and cost_usd, never the messages.
CREATE OR REPLACE VIEW steps AS
SELECT
    run_id, iteration, phase, rollout_id, task_id, domain, policy,
    steps."index"[i] AS step,
    steps.worker[i] AS worker,
    steps.subtask[i] AS subtask,
    steps.access[i] AS access,
    steps.output[i] AS output,
    steps.prompt_tokens[i] AS prompt_tokens,
    steps.completion_tokens[i] AS completion_tokens,
    steps.cost_usd[i] AS cost_usd,
    steps.latency_s[i] AS latency_s,
    steps.cached[i] AS cached,
    steps.error[i] AS error,
    steps.attempts[i] AS attempts,
    steps.messages[i] AS messages
FROM (SELECT *, unnest(generate_series(1, len(steps."index"))) AS i FROM rollouts);
