from celery import shared_task

from kabinet.office import services


@shared_task
def import_job_run(job_id: int) -> None:
    services.import_job_run(job_id=job_id)
