"""The texts a person agrees to at sign-up. A changed text gets a new version; consents record
the version that was shown."""

from django.utils.translation import gettext_lazy as _

ACCESS_RULES_VERSION = "2026-01"
PERSONAL_DATA_VERSION = "2026-01"

ACCESS_RULES_LABEL = _("Я согласен(на) с правилами предоставления доступа")
PERSONAL_DATA_LABEL = _(
    "Я даю согласие на обработку моих персональных данных (152-ФЗ): e-mail, телефон, ФИО, ИНН — "
    "для предоставления доступа к личному кабинету"
)
