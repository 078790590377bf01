-- One Postgres for both servers: Prefect uses the database `prefect` (POSTGRES_DB), MLflow this one.
CREATE DATABASE mlflow;
