"""A broken dependency never loses a submission (SPEC 4, Reliability).

Views that save what a person typed catch `OUTSIDE_FAILURES` around the service call and show
the same form again, filled in, with `SAVE_FAILED` and status 503, instead of an error page.
"""

from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

# The database refused or dropped the write; the disk or the media storage failed.
OUTSIDE_FAILURES = (DatabaseError, OSError)

SAVE_FAILED = _(
    "Не удалось сохранить: сервис временно недоступен. Всё, что вы ввели, осталось в форме — "
    "отправьте её ещё раз через минуту."
)
