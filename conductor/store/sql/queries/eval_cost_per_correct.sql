-- What a right answer costs, per evaluation, iteration (a campaign's; 0 for `conductor eval`) and method: worker dollars and worker calls per correct answer.
SELECT evaluation, iteration, method, count(*) AS answers, sum(CAST(correct AS INTEGER)) AS correct,
       round(sum(cost_usd) / nullif(sum(CAST(correct AS INTEGER)), 0), 6) AS usd_per_correct,
       round(sum(calls) / nullif(sum(CAST(correct AS INTEGER)), 0), 2) AS calls_per_correct,
       round(avg(cost_usd), 6) AS usd_per_question, round(avg(conductor_tokens), 1) AS conductor_tokens
FROM evaluations GROUP BY ALL ORDER BY evaluation, iteration, usd_per_correct;
