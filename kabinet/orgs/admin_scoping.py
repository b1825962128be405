"""Django admin scoped to the signed-in operator's organisation (SPEC 2.7).

Every ModelAdmin of organisation data derives from `OrgScopedAdmin` and names, in `org_path`,
the lookup from its model to the organisation ("organisation", "account__organisation",
"meter__organisation"; "pk" for Organisation itself). Then:

- a superuser (platform administrator) sees and edits everything;
- a staff user with an organisation sees only that organisation's rows; another organisation's
  object answers 404 on its change, delete and history pages; foreign-key choices and list
  filters offer only that organisation's rows; an `organisation` field is read-only and set to
  theirs on save;
- a staff user with no organisation who is not a superuser gets no access at all.

Choices for a foreign key are scoped through the admin registered for the related model, so a
model that others point to must be registered with an `OrgScopedAdmin` too.
"""

from typing import Any

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import get_fields_from_path
from django.db import models
from django.db.models import Q, QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest


def request_org_id(request: HttpRequest) -> int | None:
    return getattr(request.user, "organisation_id", None)


def is_platform_admin(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_superuser", False))


class OrgRelatedListFilter(admin.RelatedFieldListFilter):
    """A related-object filter that offers only the user's organisation's objects."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        scope = model_admin.related_org_filter(request, field.related_model)
        if scope is None:
            return field.get_choices(include_blank=False, ordering=ordering)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=scope)


class OrgScopedAdmin(admin.ModelAdmin):
    org_path: str = "organisation"
    # Billing data comes from imports: operators only look at it, platform administrators fix it.
    operator_read_only: bool = False

    # --- the scope ------------------------------------------------------------------------

    def org_filter(self, request: HttpRequest) -> Q | None:
        """The condition on this model's rows for the user; None means no restriction."""
        if is_platform_admin(request):
            return None
        org_id = request_org_id(request)
        if org_id is None:
            return Q(pk__in=[])
        return Q(**{self.org_path: org_id})

    def related_org_filter(self, request: HttpRequest, model: type[models.Model]) -> Q | None:
        """The scope of another model, taken from the admin registered for it."""
        try:
            model_admin = self.admin_site.get_model_admin(model)
        except NotRegistered:
            return None
        if isinstance(model_admin, OrgScopedAdmin):
            return model_admin.org_filter(request)
        return None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        scope = self.org_filter(request)
        return queryset if scope is None else queryset.filter(scope)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> models.Model:
        # The stock admin redirects to the index with "doesn't exist" for an object outside the
        # queryset; another organisation's object must look like any missing page.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def _forces_organisation(self, request: HttpRequest) -> bool:
        return self.org_path == "organisation" and not is_platform_admin(request)

    # --- permissions ----------------------------------------------------------------------

    def _has_scope(self, request: HttpRequest) -> bool:
        return is_platform_admin(request) or request_org_id(request) is not None

    def _may_write(self, request: HttpRequest) -> bool:
        if is_platform_admin(request):
            return True
        return self._has_scope(request) and not self.operator_read_only

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._has_scope(request) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._has_scope(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_write(request) and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_write(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_write(request) and super().has_delete_permission(request, obj)

    # --- forms ----------------------------------------------------------------------------

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if self._forces_organisation(request) and "organisation" not in fields:
            fields += ("organisation",)
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = self.related_org_filter(request, db_field.related_model)
        if scope is not None:
            queryset = kwargs.get("queryset", db_field.related_model._default_manager.all())
            kwargs["queryset"] = queryset.filter(scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope = self.related_org_filter(request, db_field.related_model)
        if scope is not None:
            queryset = kwargs.get("queryset", db_field.related_model._default_manager.all())
            kwargs["queryset"] = queryset.filter(scope)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if self._forces_organisation(request):
            obj.organisation_id = request_org_id(request)
        super().save_model(request, obj, form, change)

    # --- change list ----------------------------------------------------------------------

    def get_list_display(self, request: HttpRequest) -> Any:
        list_display = tuple(super().get_list_display(request))
        if (
            is_platform_admin(request)
            and self.org_path != "pk"
            and self.org_path not in list_display
        ):
            list_display += (self.org_path,)
        return list_display

    def get_list_select_related(self, request: HttpRequest) -> Any:
        related = super().get_list_select_related(request)
        if (
            is_platform_admin(request)
            and self.org_path != "pk"
            and isinstance(related, list | tuple)
        ):
            related = (*related, self.org_path)
        return related

    def get_list_filter(self, request: HttpRequest) -> Any:
        filters = [self._scoped_list_filter(item) for item in super().get_list_filter(request)]
        if is_platform_admin(request) and self.org_path != "pk":
            filters.insert(0, self.org_path)
        return filters

    def _scoped_list_filter(self, item: Any) -> Any:
        # A plain related-field filter would list every organisation's objects by name.
        if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
            return (item, OrgRelatedListFilter)
        return item
