-- How often each worker is chosen, by domain, and what it costs.
CREATE OR REPLACE VIEW workers AS
SELECT run_id, iteration, phase, domain, worker,
       count(*) AS calls, sum(cost_usd) AS cost_usd, avg(latency_s) AS mean_latency_s
FROM steps
GROUP BY ALL
ORDER BY run_id, iteration, phase, domain, worker;
