"""Run the daily job through Dagster, in this process (the demo and the tests use it)."""

from dagster import DagsterInstance, ExecuteInProcessResult


def run_daily_job(instance: DagsterInstance | None = None, raise_on_error: bool = True) -> ExecuteInProcessResult:
    # Imported here: loading definitions reads the dbt manifest, which `make setup` writes.
    from orchestration.definitions import defs

    job = defs.resolve_job_def("touchpath_daily")
    return job.execute_in_process(instance=instance or DagsterInstance.ephemeral(), raise_on_error=raise_on_error)
