"""The Django admin is the back office: its titles in Chinese (source text), like every string."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("技能人才服务平台 管理后台")
admin.site.site_title = _("技能人才服务平台")
admin.site.index_title = _("后台管理")
