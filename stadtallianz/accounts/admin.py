from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stadtallianz.core.office import with_office

from .models import ApiToken, User


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    can_delete = False
    fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = ["email", "full_name", "is_coordinator", "is_staff", "is_active",
                    "email_confirmed_at", "date_joined"]
    list_filter = ["is_coordinator", "is_staff", "is_superuser", "is_active", "preferred_language"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    readonly_fields = ["date_joined", "last_login"]
    inlines = [ApiTokenInline]
    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "is_coordinator":
            kwargs["help_text"] = with_office(gettext("Works in the %(office)s and runs the "
                                                      "alliance."))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal details"), {"fields": ["full_name", "preferred_language",
                                            "email_confirmed_at"]}),
        (_("Permissions"), {"fields": ["is_active", "is_coordinator", "is_staff", "is_superuser",
                                       "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"],
                "fields": ["email", "full_name", "usable_password", "password1", "password2"]}),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # A key is shown only when created; the admin could not show it, so people create
        # their tokens on their account page.
        return False
