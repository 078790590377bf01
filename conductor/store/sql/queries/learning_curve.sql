-- Conductor accuracy on held-out tasks per iteration, next to the baselines.
SELECT run_id, iteration, policy, round(accuracy, 3) AS accuracy, rollouts, round(mean_steps, 2) AS mean_steps
FROM iterations WHERE phase = 'eval' ORDER BY run_id, iteration, accuracy DESC;
