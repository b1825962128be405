"""Where a Celery broker runs, beat drains the outbox every minute (kabinet.lib.outbox)."""

from celery import shared_task


@shared_task
def send_outbox() -> dict[str, int]:
    from kabinet.lib.outbox import outbox_send_due

    return outbox_send_due()
