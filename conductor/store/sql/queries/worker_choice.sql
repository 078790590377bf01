-- Which workers the Conductor picks per domain in training (emergent specialisation).
SELECT iteration, domain, worker, count(*) AS steps
FROM steps WHERE phase = 'train' AND policy = 'conductor'
GROUP BY ALL ORDER BY iteration, domain, steps DESC;
