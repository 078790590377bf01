-- One row per rollout: a workflow written by the Conductor (or a baseline), executed, verified and rewarded.
CREATE OR REPLACE VIEW rollouts AS
SELECT
    *,
    parse_error IS NULL AS parsed,
    infra_fault IS NOT NULL AS faulted
FROM ${ROLLOUTS};
