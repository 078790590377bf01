-- Accuracy by evaluation, iteration, method and source: the mean over repeats and its standard error (sample
-- standard deviation of the per-repeat accuracies / sqrt(repeats); null with one repeat). Faulted rows left
-- out. `conductor eval` rows are iteration 0; a campaign's are one group per iteration, not pooled over them.
WITH per_repeat AS (
    SELECT evaluation, iteration, method, source, "repeat", avg(CAST(correct AS DOUBLE)) AS acc, count(*) AS tasks
    FROM evaluations WHERE NOT faulted GROUP BY ALL
)
SELECT evaluation, iteration, method, source, round(avg(acc), 4) AS accuracy,
       round(stddev_samp(acc) / sqrt(count(*)), 4) AS stderr, count(*) AS repeats, max(tasks) AS tasks
FROM per_repeat GROUP BY ALL ORDER BY evaluation, iteration, source, accuracy DESC;
