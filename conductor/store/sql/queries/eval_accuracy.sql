-- Accuracy by evaluation, method and source: the mean over repeats and its standard error (sample standard
-- deviation of the per-repeat accuracies / sqrt(repeats); null with one repeat). Faulted rows left out.
WITH per_repeat AS (
    SELECT evaluation, method, source, "repeat", avg(CAST(correct AS DOUBLE)) AS acc, count(*) AS tasks
    FROM evaluations WHERE NOT faulted GROUP BY ALL
)
SELECT evaluation, method, source, round(avg(acc), 4) AS accuracy,
       round(stddev_samp(acc) / sqrt(count(*)), 4) AS stderr, count(*) AS repeats, max(tasks) AS tasks
FROM per_repeat GROUP BY ALL ORDER BY evaluation, source, accuracy DESC;
