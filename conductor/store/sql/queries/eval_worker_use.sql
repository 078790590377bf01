-- Which workers each method calls, by domain, in evaluations (share of that method's steps in the domain).
SELECT s.run_id AS evaluation, s.policy AS method, s.domain, s.worker, count(*) AS steps,
       round(count(*) / sum(count(*)) OVER (PARTITION BY s.run_id, s.policy, s.domain), 3) AS share
FROM steps s WHERE s.phase = 'eval' AND s.error IS NULL
GROUP BY ALL ORDER BY evaluation, method, s.domain, steps DESC;
