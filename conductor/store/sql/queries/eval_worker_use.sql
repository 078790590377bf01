-- Which workers each method calls, by domain, in evaluations (share of that method's steps in the domain).
WITH used AS (
    SELECT run_id AS evaluation, iteration, policy AS method, domain, worker, count(*) AS steps
    FROM steps WHERE phase = 'eval' AND error IS NULL
    GROUP BY ALL
)
SELECT *, round(steps / sum(steps) OVER (PARTITION BY evaluation, iteration, method, domain), 3) AS share
FROM used ORDER BY evaluation, iteration, method, domain, steps DESC;
