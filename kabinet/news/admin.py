"""Operator side: news and FAQ editing, typo reports; scoped to the operator's organisation."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kabinet.news.models import FaqItem, News, TypoReport
from kabinet.orgs.admin_scoping import OrgScopedAdmin


@admin.register(News)
class NewsAdmin(OrgScopedAdmin):
    list_display = ("title", "published_at", "is_published", "address_prefix")
    list_filter = ("is_published",)
    list_select_related = ()
    search_fields = ("title", "body")
    date_hierarchy = "published_at"
    fields = ("organisation", "title", "body", "address_prefix", "is_published", "published_at")


@admin.register(FaqItem)
class FaqItemAdmin(OrgScopedAdmin):
    list_display = ("question", "position")
    list_select_related = ()
    search_fields = ("question", "answer")
    fields = ("organisation", "question", "answer", "position")


@admin.register(TypoReport)
class TypoReportAdmin(OrgScopedAdmin):
    list_display = ("created_at", "fragment", "comment", "page_url")
    list_select_related = ()
    search_fields = ("fragment", "comment", "page_url")
    readonly_fields = ("organisation", "reporter", "page_url", "fragment", "comment", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
