-- Parse failures of training plans by how many worker ids their model_id list holds, first 10 iterations
-- (0 = no model_id list found). Where long plans fail more often than short ones, GRPO learns short plans
-- (docs/design.md, "Why the Conductor's plans collapsed").
SELECT run_id,
       coalesce(len(list_filter(string_split(id_list, ','), lambda x: trim(x) <> '')), 0) AS ids_written,
       count(*) AS plans,
       round(avg((parse_error IS NOT NULL)::int), 2) AS failure_rate
FROM (SELECT run_id, parse_error, regexp_extract(completion, 'model_id\s*=\s*\[([^\]]*)\]', 1) AS id_list
      FROM rollouts WHERE phase = 'train' AND iteration <= 10)
GROUP BY ALL ORDER BY run_id, ids_written;
