"""News and FAQ of an organisation, the portal rating poll and typo reports (SPEC 2.6, seed 001)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kabinet.orgs.models import Organisation


class News(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("Новость")
        PLANNED = "planned", _("Плановые работы")
        OUTAGE = "outage", _("Авария / отключение")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="news"
    )
    title = models.CharField(_("заголовок"), max_length=200)
    body = models.TextField(_("текст"))
    address_prefix = models.CharField(
        _("только для адреса"),
        max_length=400,
        blank=True,
        help_text=_(
            "Начало адреса лицевых счетов, например «г. Новосибирск, ул. Ленина, д. 1». "
            "Пусто — новость для всех абонентов организации."
        ),
    )
    is_published = models.BooleanField(_("опубликована"), default=True)
    published_at = models.DateTimeField(_("дата публикации"), default=timezone.now, db_index=True)
    # SPEC 2.7: planned works and outages have a time span; an outage is pinned on the
    # dashboards of the affected buildings (NewsBuilding) until it ends.
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices, default=Kind.NEWS)
    starts_at = models.DateTimeField(_("начало"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ожидаемое окончание"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("новость")
        verbose_name_plural = _("новости")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class NewsBuilding(models.Model):
    """A building (the address of its accounts, without the apartment) a news item is for."""

    news = models.ForeignKey(
        News, verbose_name=_("новость"), on_delete=models.CASCADE, related_name="buildings"
    )
    address = models.CharField(_("адрес дома"), max_length=400, db_index=True)

    class Meta:
        verbose_name = _("дом")
        verbose_name_plural = _("дома")
        constraints = [
            models.UniqueConstraint(fields=["news", "address"], name="news_building_unique")
        ]

    def __str__(self) -> str:
        return self.address


class FaqItem(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="faq"
    )
    question = models.CharField(_("вопрос"), max_length=300)
    answer = models.TextField(_("ответ"))
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("вопрос и ответ")
        verbose_name_plural = _("частые вопросы")
        ordering = ["organisation", "position", "pk"]

    def __str__(self) -> str:
        return self.question


class PortalVote(models.Model):
    """«Оцените личный кабинет»: one vote per cabinet, which may be changed."""

    class Mark(models.IntegerChoices):
        EXCELLENT = 4, _("Отлично")
        GOOD = 3, _("Хорошо")
        FAIR = 2, _("Удовлетворительно")
        POOR = 1, _("Плохо")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="portal_vote",
    )
    mark = models.PositiveSmallIntegerField(_("оценка"), choices=Mark.choices)
    voted_at = models.DateTimeField(_("когда"), auto_now=True)

    class Meta:
        verbose_name = _("оценка личного кабинета")
        verbose_name_plural = _("оценки личного кабинета")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mark}"


class TypoReport(models.Model):
    """«Заметили ошибку в тексте?»: a fragment a visitor selected and sent with Ctrl+Enter."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="typo_reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто сообщил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    page_url = models.CharField(_("страница"), max_length=500)
    fragment = models.TextField(_("фрагмент с ошибкой"), max_length=1000)
    comment = models.TextField(_("комментарий"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("сообщение об опечатке")
        verbose_name_plural = _("сообщения об опечатках")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.fragment[:60]
