"""«Загрузка данных биллинга»: upload → background task → progress → report; publish; history."""

from pathlib import Path

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kabinet.billing.models import Charge, Period, PersonalAccount
from kabinet.billing.tests.factories import make_org, sample_files
from kabinet.office.models import AuditEntry, ImportJob
from kabinet.office.tests.factories import make_staff
from kabinet.users.models import User


def _uploads(paths: list[Path]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv") for p in paths]


def _upload(client, files, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        response = client.post(reverse("office:imports"), {"files": files})
    assert response.status_code == 302, response.content.decode()[:500]
    return ImportJob.objects.latest("pk"), response["Location"]


def test_it_loads_uploaded_files_in_the_background_and_reports_counts(
    client, db, tmp_path, settings, django_capture_on_commit_callbacks
) -> None:
    org = make_org()
    accountant = make_staff(org, User.Role.ACCOUNTANT)
    client.force_login(accountant)

    job, location = _upload(client, _uploads(sample_files(tmp_path)), django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.SUCCEEDED
    assert job.counts["accounts"]["created"] == 3
    assert job.counts["charges"]["rows"] == 3
    assert job.duration is not None
    assert PersonalAccount.objects.filter(organisation=org).count() == 3
    page = client.get(location).content.decode()
    assert "Загружено" in page and 'value="100"' in page
    assert "Опубликовать период 01.2025" in page
    progress = client.get(reverse("office:import_progress", args=[job.pk])).json()
    assert progress == {"status": "succeeded", "status_label": "Загружено", "percent": 100, "finished": True}
    history = client.get(reverse("office:imports")).content.decode()
    assert "accounts.csv" in history and str(accountant) in history
    # The uploaded copies are removed once loaded.
    assert job.directory and not (Path(settings.MEDIA_ROOT) / job.directory).exists()


def test_it_reports_every_error_with_file_row_and_column_and_writes_nothing(
    client, db, tmp_path, django_capture_on_commit_callbacks
) -> None:
    org = make_org()
    client.force_login(make_staff(org, User.Role.ACCOUNTANT))
    files = sample_files(tmp_path)
    charges = files[1]
    charges.write_text(
        charges.read_text(encoding="utf-8") + "1001;2025-01;gvs;ГВС;service;м3;;;;;0;abc;0;;0;0;\n",
        encoding="utf-8",
    )

    job, location = _upload(client, _uploads(files), django_capture_on_commit_callbacks)

    assert job.status == ImportJob.Status.FAILED
    assert [(e["file"], e["row"], e["column"]) for e in job.errors] == [("charges.csv", 5, "charged")]
    assert not PersonalAccount.objects.filter(organisation=org).exists()
    assert not Charge.objects.exists()
    page = client.get(location).content.decode()
    assert "Загрузка отклонена, данные не изменены" in page
    assert "<td>charges.csv</td><td>5</td><td>charged</td>" in page


def test_it_publishes_a_period_only_after_confirmation_and_logs_it(
    client, db, tmp_path, django_capture_on_commit_callbacks
) -> None:
    org = make_org()
    accountant = make_staff(org, User.Role.ACCOUNTANT)
    client.force_login(accountant)
    _upload(client, _uploads(sample_files(tmp_path)), django_capture_on_commit_callbacks)
    period = Period.objects.get(organisation=org)
    url = reverse("office:period_publish", args=[period.pk])

    confirm = client.get(url).content.decode()
    period.refresh_from_db()
    assert not period.is_published
    assert "Да, опубликовать" in confirm and "Начисления по 2 лицевым счетам" in confirm

    client.post(url)
    period.refresh_from_db()
    assert period.is_published
    entry = AuditEntry.objects.get(action="period.publish")
    assert (entry.actor, entry.before, entry.after) == (accountant, {"published": False}, {"published": True})
    assert entry.ip_address == "127.0.0.1"


def test_it_shows_running_progress_from_the_task_and_refreshes_without_javascript(
    client, db, tmp_path
) -> None:
    org = make_org()
    client.force_login(make_staff(org, User.Role.ACCOUNTANT))
    # Without running the on-commit task the job stays queued, as with a busy worker.
    client.post(reverse("office:imports"), {"files": _uploads(sample_files(tmp_path))})
    job = ImportJob.objects.get()
    from django.core.cache import cache

    from kabinet.office.services import _progress_key

    cache.set(_progress_key(job.pk), 42)
    page = client.get(reverse("office:import_detail", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert 'value="42"' in page and "Обновить" in page
    assert "import_progress.js" in page
    assert client.get(reverse("office:import_progress", args=[job.pk])).json()["percent"] == 42


def test_it_runs_the_queued_job_with_progress_reaching_100(db, tmp_path, settings) -> None:
    from django.core.cache import caches

    from kabinet.office import services

    org = make_org()
    seen: list[int] = []
    # On the class: progress is written from the publisher's own thread, whose cache object
    # (one per thread) is another instance.
    backend = type(caches["default"])
    original = backend.set

    def spy(self, key, value, *args, **kwargs):  # type: ignore[no-untyped-def]
        if key.startswith("office:import"):
            seen.append(value)
        return original(self, key, value, *args, **kwargs)

    backend.set = spy  # type: ignore[method-assign]
    try:
        job = services.import_job_start(
            office_user=make_staff(org, User.Role.ACCOUNTANT),
            organisation=org,
            files=_uploads(sample_files(tmp_path)),
        )
        services.import_job_run(job_id=job.pk)
    finally:
        backend.set = original  # type: ignore[method-assign]
    assert seen[0] == 0 and seen[-1] == 100
    assert seen == sorted(seen)
    assert any(0 < value < 100 for value in seen)
    assert mail.outbox == []


def test_it_refuses_a_second_organisations_period(client, db) -> None:
    other = make_org("other")
    period = Period.objects.create(organisation=other, month="2025-01-01")
    client.force_login(make_staff(make_org(), User.Role.ACCOUNTANT))
    assert client.post(reverse("office:period_publish", args=[period.pk])).status_code == 404
    period.refresh_from_db()
    assert not period.is_published



def test_it_runs_a_job_once_when_the_task_is_delivered_twice(db, tmp_path) -> None:
    from kabinet.office import services

    org = make_org()
    job = services.import_job_start(
        office_user=make_staff(org, User.Role.ACCOUNTANT), organisation=org, files=_uploads(sample_files(tmp_path))
    )
    first = services.import_job_run(job_id=job.pk)
    second = services.import_job_run(job_id=job.pk)
    assert first.status == second.status == ImportJob.Status.SUCCEEDED
    assert AuditEntry.objects.filter(action="billing.import").count() == 1
