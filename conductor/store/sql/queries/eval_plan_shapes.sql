-- The Conductor's plan shapes in evaluations (steps, steps that read earlier outputs) and their accuracy, per
-- iteration for a campaign's evaluations.
WITH plans AS (
    SELECT r.run_id AS evaluation, r.iteration, r.policy AS method, r.rollout_id, r.correct, r.n_steps,
           len(list_filter(coalesce(r.steps.visible, []), lambda v: len(v) > 0)) AS reading_steps
    FROM rollouts r WHERE r.phase = 'eval' AND r.policy LIKE 'conductor%' AND r.parsed
)
SELECT evaluation, iteration, method, n_steps, reading_steps, count(*) AS plans,
       round(avg(CAST(correct AS DOUBLE)), 3) AS accuracy
FROM plans GROUP BY ALL ORDER BY evaluation, iteration, method, plans DESC;
