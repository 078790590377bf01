-- The prepared tasks (conductor prepare): one row per task, every source.
CREATE OR REPLACE VIEW tasks AS
SELECT * FROM ${TASKS};
