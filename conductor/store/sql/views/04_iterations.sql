-- Per run, iteration, phase and policy: what the learning curve is made of.
CREATE OR REPLACE VIEW iterations AS
SELECT
    run_id, iteration, phase, policy,
    count(*) AS rollouts,
    avg(CAST(correct AS DOUBLE)) AS accuracy,
    avg(reward) AS mean_reward,
    avg(CAST(NOT parsed AS DOUBLE)) AS parse_failure_rate,
    avg(CAST(faulted AS DOUBLE)) AS fault_rate,
    avg(n_steps) FILTER (WHERE parsed) AS mean_steps,
    sum(cost_usd) AS cost_usd,
    sum(prompt_tokens + completion_tokens) AS tokens
FROM rollouts
GROUP BY ALL
ORDER BY run_id, iteration, phase, policy;
