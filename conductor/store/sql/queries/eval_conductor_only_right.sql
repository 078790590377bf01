-- Tasks the Conductor gets right (in a majority of repeats) that every single worker gets wrong (in a
-- majority of its repeats), per evaluation.
WITH per_task AS (
    SELECT evaluation, method, task_id, avg(CAST(correct AS DOUBLE)) AS rate
    FROM evaluations WHERE NOT faulted GROUP BY ALL
)
SELECT c.evaluation, c.task_id, round(c.rate, 2) AS conductor_rate, round(max(s.rate), 2) AS best_single_rate
FROM per_task c JOIN per_task s ON s.evaluation = c.evaluation AND s.task_id = c.task_id AND s.method LIKE 'single:%'
WHERE c.method = 'conductor'
GROUP BY c.evaluation, c.task_id, c.rate
HAVING c.rate > 0.5 AND max(s.rate) < 0.5
ORDER BY c.evaluation, c.task_id;
