-- Training groups whose rewards are all equal: they teach GRPO nothing.
SELECT run_id, iteration, count(*) AS groups, count(*) FILTER (WHERE spread = 0) AS zero_variance
FROM (SELECT run_id, iteration, group_id, max(reward) - min(reward) AS spread
      FROM rollouts WHERE phase = 'train' GROUP BY ALL)
GROUP BY ALL ORDER BY run_id, iteration;
