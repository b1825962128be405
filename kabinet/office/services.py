"""Everything the office changes that is not another app's: staff, their preferences, and the
billing uploads run in the background (through the same `billing_import` as the command)."""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kabinet.billing.imports import ImportRejected, ImportReport, billing_import
from kabinet.lib.progress import ProgressPublisher
from kabinet.office.audit import audit_record
from kabinet.office.models import ImportJob, StaffPreferences
from kabinet.orgs.models import Organisation
from kabinet.users.models import User
from kabinet.users.services import user_send_temporary_password

log = logging.getLogger(__name__)

Role = User.Role
# The command's spelling (SPEC 3.1) → the stored role.
ROLE_NAMES = {"administrator": Role.ADMIN, "operator": Role.OPERATOR, "accountant": Role.ACCOUNTANT}

MAX_UPLOAD_FILES = 10
MAX_UPLOAD_BYTES = 1 << 30  # one billing file of a large settlement centre is a few hundred MB


# --- staff -------------------------------------------------------------------------------------


def _split_name(name: str) -> dict[str, str]:
    parts = name.split()
    return {
        "last_name": parts[0] if parts else "",
        "first_name": parts[1] if len(parts) > 1 else "",
        "middle_name": " ".join(parts[2:]),
    }


def staff_create(
    *, organisation: Organisation, email: str, role: str, name: str = "", by: Any = None
) -> User:
    """A member of staff with a temporary password e-mailed to them; at the first sign-in they
    change it and enrol an authenticator app (two-factor sign-in is mandatory for staff)."""
    email = email.strip().lower()
    validate_email(email)
    role = ROLE_NAMES.get(role, role)
    if role not in Role.values:
        raise ValidationError(_("Неизвестная роль: %(role)s.") % {"role": role})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Пользователь с e-mail %(email)s уже есть.") % {"email": email})
    with transaction.atomic():
        user = User(
            username=email,
            email=email,
            is_staff=True,
            organisation=organisation,
            org_role=role,
            **_split_name(name),
        )
        user.set_unusable_password()
        user.save()
        user_send_temporary_password(user=user)
        audit_record(
            actor=by,
            organisation=organisation,
            action="staff.create",
            obj=user,
            after={"email": email, "role": Role(role).label},
        )
    return user


def staff_set_role(*, office_user: User, member: User, role: str) -> User:
    """The organisation's administrator assigns a role (or removes access with role "")."""
    if member.organisation_id != office_user.organisation_id:
        raise ValidationError(_("Сотрудник не найден."))
    if role and role not in Role.values:
        raise ValidationError(_("Неизвестная роль: %(role)s.") % {"role": role})
    if member.pk == office_user.pk and role != Role.ADMIN:
        raise ValidationError(_("Свою роль администратора снять нельзя: это сделает другой администратор."))
    before = member.get_org_role_display() or _("нет доступа")
    with transaction.atomic():
        member.org_role = role
        member.is_active = bool(role)
        member.save(update_fields=["org_role", "is_active"])
        audit_record(
            actor=office_user,
            organisation=member.organisation,
            action="staff.role",
            obj=member,
            before={"role": before},
            after={"role": member.get_org_role_display() or _("нет доступа")},
        )
    return member


def staff_preferences(user: User) -> StaffPreferences:
    """The member's preferences; the defaults (unsaved) until they first save them: showing the
    page writes nothing."""
    return StaffPreferences.objects.filter(user=user).first() or StaffPreferences(user=user)


def staff_preferences_set(*, user: User, new_requests: bool, new_appeals: bool) -> StaffPreferences:
    with transaction.atomic():
        prefs, _created = StaffPreferences.objects.update_or_create(
            user=user, defaults={"new_requests": new_requests, "new_appeals": new_appeals}
        )
    return prefs


def staff_to_notify(*, organisation_id: int, about: str) -> list[str]:
    """E-mail addresses of the organisation's operators and administrators who did not opt out
    of `about` ("new_requests" or "new_appeals")."""
    opted_out = StaffPreferences.objects.filter(**{about: False}).values("user_id")
    return list(
        User.objects.filter(
            organisation_id=organisation_id,
            is_staff=True,
            is_active=True,
            org_role__in=[Role.ADMIN, Role.OPERATOR],
        )
        .exclude(email="")
        .exclude(pk__in=opted_out)
        .order_by("pk")
        .values_list("email", flat=True)
    )


# --- billing uploads ---------------------------------------------------------------------------


def _progress_key(job_id: int) -> str:
    return f"office:import:{job_id}:progress"


def import_job_start(
    *, office_user: User, organisation: Organisation, files: Sequence[UploadedFile]
) -> ImportJob:
    """Keep the uploaded files and queue the import; the task does the rest."""
    if not files:
        raise ValidationError(_("Выберите хотя бы один файл."))
    if len(files) > MAX_UPLOAD_FILES:
        raise ValidationError(_("Не больше %(count)d файлов за одну загрузку.") % {"count": MAX_UPLOAD_FILES})
    for upload in files:
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise ValidationError(_("Файл %(name)s больше 1 ГБ.") % {"name": upload.name})
    directory = f"office-imports/{uuid.uuid4().hex}"
    target = Path(settings.MEDIA_ROOT) / directory
    target.mkdir(parents=True)
    names = []
    for number, upload in enumerate(files, start=1):
        # The chosen name is shown in the report only; on disk the files are numbered.
        with (target / f"{number:02d}.csv").open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        names.append(Path(upload.name or f"file{number}.csv").name[:200])
    with transaction.atomic():
        job = ImportJob.objects.create(
            organisation=organisation, created_by=office_user, files=names, directory=directory
        )
        from kabinet.office import tasks

        transaction.on_commit(partial(tasks.import_job_run.delay, job.pk))
    return job


def _unique_labels(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def import_job_run(*, job_id: int) -> ImportJob:
    """Run a queued upload through `billing_import`, publishing progress for the page."""
    # Claim the job: a repeated delivery of the task, or a second worker, finds it taken.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    if not claimed:
        return job
    directory = Path(settings.MEDIA_ROOT) / job.directory
    paths = [directory / f"{number:02d}.csv" for number in range(1, len(job.files) + 1)]
    labels = _unique_labels(job.files)
    sizes = {label: max(path.stat().st_size, 1) if path.exists() else 1 for label, path in zip(labels, paths, strict=True)}
    total = sum(sizes.values())
    done: dict[str, int] = {}
    key = _progress_key(job.pk)

    report: ImportReport
    try:
        # Published from its own thread and connection (kabinet/lib/progress.py): the import
        # holds this one inside its transaction.
        with ProgressPublisher(key, timeout=24 * 3600) as publisher:
            publisher.set(0)

            def progress(label: str, done_bytes: int, _total: int, _rows: int) -> None:
                done[label] = min(done_bytes, sizes.get(label, done_bytes))
                # The last per cent is the commit, so 100 % means the data is in.
                publisher.set(min(99, 100 * sum(done.values()) // total))

            report = billing_import(
                organisation=job.organisation, paths=paths, labels=labels, progress=progress
            )
        status = ImportJob.Status.SUCCEEDED
    except ImportRejected as exc:
        report = exc.report
        status = ImportJob.Status.FAILED
    except Exception:
        # Nothing was written (one transaction); the page must still end, not spin forever.
        log.exception("office import #%s crashed", job.pk)
        report = ImportReport()
        report.error("", 0, "", _("Внутренняя ошибка загрузки; данные не изменены."))
        status = ImportJob.Status.FAILED
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    job.refresh_from_db()
    job.status = status
    job.finished_at = timezone.now()
    job.counts = {name: vars(count) for name, count in report.counts.items()}
    job.errors = [vars(error) for error in report.errors]
    job.error_count = report.error_count
    with transaction.atomic():
        job.save(update_fields=["status", "finished_at", "counts", "errors", "error_count"])
        audit_record(
            actor=job.created_by,
            organisation=job.organisation,
            action="billing.import",
            obj=job,
            object_type="import",
            after={"files": job.files, "result": job.get_status_display(), "errors": job.error_count},
        )
    cache.set(key, 100, timeout=24 * 3600)
    log.info("office import #%s: %s", job.pk, status)
    return job


def import_job_progress(job: ImportJob) -> int:
    if job.is_finished:
        return 100
    value = cache.get(_progress_key(job.pk))
    return int(value) if value is not None else 0


# --- residents ---------------------------------------------------------------------------------


def account_link_remove(*, office_user: User, link: Any) -> None:
    """An operator removes a cabinet's link to an account (e.g. a sold flat); the account's
    holders, the removed person among them, are e-mailed, and the change is logged."""
    from django.template.loader import render_to_string

    from kabinet.accounts.models import AccountLink
    from kabinet.users.tasks import deliver_email

    account = link.account
    if account.organisation_id != office_user.organisation_id:
        raise ValidationError(_("Лицевой счёт не найден."))
    with transaction.atomic():
        holders = set(
            AccountLink.objects.filter(account=account, role=AccountLink.Role.HOLDER)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
        if link.user.email:
            holders.add(link.user.email)
        audit_record(
            actor=office_user,
            organisation=account.organisation,
            action="link.remove",
            obj=account,
            before={"cabinet": str(link.user), "role": link.get_role_display()},
            after={"cabinet": _("отвязан")},
        )
        link.delete()
        context = {"account": account, "person": str(link.user), "organisation": account.organisation}
        subject = _("Лицевой счёт %(number)s отвязан от кабинета") % {"number": account.number}
        text = render_to_string("office/email/link_removed.txt", context)
        html = render_to_string("office/email/link_removed.html", context)
        for to in sorted(holders):
            transaction.on_commit(partial(deliver_email.delay, subject, to, text, html))


def invitation_resend(*, office_user: User, invitation: Any) -> None:
    """Send a pending family-member invitation again (the resident lost the letter)."""
    from kabinet.accounts.services import _send_invitation

    if invitation.account.organisation_id != office_user.organisation_id or not invitation.is_pending:
        raise ValidationError(_("Приглашение не найдено или уже не действует."))
    with transaction.atomic():
        audit_record(
            actor=office_user,
            organisation=invitation.account.organisation,
            action="invitation.resend",
            obj=invitation.account,
            after={"email": invitation.email},
        )
        transaction.on_commit(partial(_send_invitation, invitation.pk))
