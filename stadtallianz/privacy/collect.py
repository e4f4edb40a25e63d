"""What the platform holds about one person, by category, for the export (GDPR Art. 15, 20).

Each category is a list of tables; each table is a model's rows that belong to the person, with
all their stored fields except secrets (password and key hashes) and with readable names of
what they refer to. The export writes each table as JSON and as CSV (export.py). A row of
another person is never in it: every query starts from the person."""

from django.db.models import Q

from stadtallianz.accounts.models import ApiToken, User
from stadtallianz.core.models import AuditEntry
from stadtallianz.discussions.models import Mention, Post, PostReport, PostRevision, Thread
from stadtallianz.events.feeds import CalendarFeed
from stadtallianz.events.models import Registration
from stadtallianz.funding.models import Call, CallFollow, DeadlineFeed
from stadtallianz.ideas.models import (
    CoAuthor,
    Comment,
    Follow,
    Idea,
    IdeaReport,
    IdeaVersion,
    Support,
)
from stadtallianz.legal.models import ConsentRecord
from stadtallianz.letter_of_intent.models import Signature
from stadtallianz.matchmaking import services as matchmaking_services
from stadtallianz.notifications.models import Notification, NotificationSettings
from stadtallianz.opendata.models import Dataset
from stadtallianz.partnering import queries as partnering_queries
from stadtallianz.partners.models import Membership
from stadtallianz.projects.models import ProjectUpdate
from stadtallianz.proposals import queries as proposals_queries
from stadtallianz.workinggroups.models import GroupMembership

# Never exported: they would let the file open the account or the API for whoever holds it.
SECRET_FIELDS = {"password", "key_hash", "key"}


def rows(queryset, *, related: tuple[str, ...] = (), exclude: tuple[str, ...] = ()):
    """The rows as dicts of their stored fields (foreign keys as `<name>_id`) plus `related`
    lookups such as "organisation__name", without SECRET_FIELDS and `exclude`: a lazy
    queryset, read in chunks while the export writes it (services.build_zip)."""
    model = queryset.model
    names = [field.attname for field in model._meta.concrete_fields
             if field.name not in SECRET_FIELDS and field.attname not in SECRET_FIELDS
             and field.name not in exclude]
    return queryset.order_by("pk").values(*names, *related)


def categories(user: User) -> dict:
    """{category: {table: rows}} for the person (rows: see `rows`)."""
    from .models import DataExport

    user_type_audit = Q(content_type__app_label="accounts", content_type__model="user",
                        object_id=str(user.pk))
    data = {
        "profile": {
            "account": rows(User.objects.filter(pk=user.pk),
                            exclude=("groups", "user_permissions")),
            "notification_settings": rows(NotificationSettings.objects.filter(user=user)),
            "data_exports": rows(DataExport.objects.filter(user=user), exclude=("file_name",)),
        },
        "memberships": {
            "organisations": rows(Membership.objects.filter(user=user),
                                  related=("organisation__name", "organisation__slug")),
            "working_groups": rows(GroupMembership.objects.filter(user=user),
                                   related=("group__slug",)),
        },
        "consents": {
            "privacy_notice": rows(ConsentRecord.objects.filter(user=user),
                                   related=("version__kind", "version__number")),
        },
        "signatures": {
            "letter_of_intent": rows(Signature.objects.filter(signed_by=user),
                                     related=("organisation__name", "version__number")),
        },
        "posts": {
            "threads": rows(Thread.objects.filter(author=user), related=("group__slug",)),
            "posts": rows(Post.objects.filter(author=user), related=("thread__title",)),
            "post_revisions": rows(PostRevision.objects.filter(edited_by=user)),
            "mentions_of_me": rows(Mention.objects.filter(user=user)),
            "reports": rows(PostReport.objects.filter(reporter=user)),
        },
        "comments": {
            "idea_comments": rows(Comment.objects.filter(author=user), related=("idea__title",)),
            "idea_reports": rows(IdeaReport.objects.filter(reporter=user)),
        },
        "ideas": {
            "ideas": rows(Idea.objects.filter(author=user)),
            "versions": rows(IdeaVersion.objects.filter(author=user), related=("idea__title",)),
            "co_authorships": rows(CoAuthor.objects.filter(user=user), related=("idea__title",)),
            "project_news": rows(ProjectUpdate.objects.filter(author=user)),
        },
        "supports": {
            "supports": rows(Support.objects.filter(user=user), related=("idea__title",)),
            "follows": rows(Follow.objects.filter(user=user), related=("idea__title",)),
        },
        "registrations": {
            "events": rows(Registration.objects.filter(user=user),
                           related=("event__title_de", "event__starts_at")),
        },
        "notifications": {
            "notifications": rows(Notification.objects.filter(recipient=user)),
        },
        "funding": {
            "followed_calls": rows(CallFollow.objects.filter(user=user),
                                   related=("call__slug", "call__title_de")),
            "deadline_feed": rows(DeadlineFeed.objects.filter(user=user)),
            "calls_entered": rows(Call.objects.filter(created_by=user)),
            "calls_verified": rows(Call.objects.filter(verified_by=user)),
            **{name: rows(queryset)
               for name, queryset in proposals_queries.personal_data(user).items()},
        },
        "partner_search": {
            name: rows(queryset)
            for name, queryset in partnering_queries.personal_data(user).items()},
        "suggestions": {
            name: rows(queryset)
            for name, queryset in matchmaking_services.personal_data(user).items()},
        "open_data": {
            # Datasets the person registered or reviewed, and those naming them as contact.
            "datasets_registered": rows(Dataset.objects.filter(created_by=user)),
            "datasets_reviewed": rows(Dataset.objects.filter(reviewed_by=user)),
            "datasets_naming_you_as_contact": rows(
                Dataset.objects.filter(contact_email__iexact=user.email)
                .exclude(created_by=user)),
        },
        "api_tokens": {
            "api_tokens": rows(ApiToken.objects.filter(user=user)),
            "calendar_feed": rows(CalendarFeed.objects.filter(user=user)),
        },
        "audit": {
            "audit_entries": rows(AuditEntry.objects.filter(Q(actor=user) | user_type_audit)),
        },
    }
    return data
