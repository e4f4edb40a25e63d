"""The one rule for what a person sees of an interest and of the contact persons behind it.
Pages, the API, notifications and exports ask `shown(viewer, interest)`; nothing else reads an
interest's person or a notice's contact person for display.

- The notice's owner (its organisation's admins, the person who posted it) sees the interested
  organisation and its message; the person who wrote it only once the owner has accepted:
  their name, e-mail address and the organisation's telephone number.
- The interested organisation's people see their own message and the notice's organisation; the
  notice's contact person only once the owner has accepted.
- The coordination office, on neither side, sees the organisation and the message, no person.
- Everyone else sees nothing of an interest.

Before acceptance no name at all is shown for the interested person (not even the public display
name accounts.names.shown_name would give): a partner search is an organisation's business, and
a pseudonym tells the owner nothing it needs before it decides.
"""

from dataclasses import dataclass

from stadtallianz.partners.models import Membership, Organisation

from .models import Interest, Notice


@dataclass(frozen=True)
class ContactPerson:
    name: str
    email: str
    phone: str  # the organisation's telephone number; empty when it has none


@dataclass(frozen=True)
class Viewer:
    """Who is looking, with their organisations read once for a whole page."""

    user: object
    organisation_ids: frozenset
    admin_ids: frozenset
    is_office: bool

    @property
    def pk(self):
        return getattr(self.user, "pk", None)

    def is_owner(self, notice: Notice) -> bool:
        """permissions.is_owner without a query."""
        return notice.organisation_id in self.admin_ids or (
            notice.created_by_id is not None and notice.created_by_id == self.pk
            and notice.organisation_id in self.organisation_ids)

    def is_interested(self, interest: Interest) -> bool:
        return interest.organisation_id in self.organisation_ids


def viewer(user) -> Viewer:
    """One query for the person's memberships (none for a visitor)."""
    if not getattr(user, "is_authenticated", False):
        return Viewer(user, frozenset(), frozenset(), False)
    rows = list(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
    return Viewer(user, frozenset(pk for pk, _role in rows),
                  frozenset(pk for pk, role in rows if role == Membership.Role.ADMIN),
                  bool(user.is_coordination_office))


@dataclass(frozen=True)
class ShownInterest:
    interest: Interest
    organisation: Organisation
    message: str
    state: str
    state_label: str
    created_at: object
    # The interested organisation's person, for the owner's side once accepted.
    contact: ContactPerson | None
    # The notice's contact person, for the interested side once accepted.
    owner_contact: ContactPerson | None
    viewer_is_owner: bool
    viewer_is_interested: bool


def person_contact(person, organisation: Organisation) -> ContactPerson | None:
    if person is None or not person.is_active:
        return None
    return ContactPerson(name=person.full_name or person.email, email=person.email,
                         phone=organisation.phone)


def owner_contact(notice: Notice) -> ContactPerson | None:
    """The person who posted the notice; when that account is gone, the organisation's public
    contact."""
    contact = person_contact(notice.created_by, notice.organisation)
    if contact is not None:
        return contact
    organisation = notice.organisation
    if organisation.contact_name or organisation.contact_email:
        return ContactPerson(name=organisation.contact_name, email=organisation.contact_email,
                             phone=organisation.phone)
    return None


def shown(who, interest: Interest) -> ShownInterest | None:
    """`interest` as `who` (a Viewer, or a user: then its memberships are read) may see it, or
    None when they may see nothing of it. Needs `interest.notice`, `.organisation`, `.person`
    and the notice's `created_by` and `organisation` (select_related them for a list)."""
    who = who if isinstance(who, Viewer) else viewer(who)
    notice = interest.notice
    owner = who.is_owner(notice)
    interested = who.is_interested(interest)
    if not (owner or interested or who.is_office):
        return None
    accepted = interest.state == Interest.State.ACCEPTED
    return ShownInterest(
        interest=interest, organisation=interest.organisation, message=interest.message,
        state=interest.state, state_label=interest.get_state_display(),
        created_at=interest.created_at,
        contact=(person_contact(interest.person, interest.organisation)
                 if accepted and (owner or interested) else None),
        owner_contact=owner_contact(notice) if accepted and (owner or interested) else None,
        viewer_is_owner=owner, viewer_is_interested=interested)


def shown_list(who, interests) -> list[ShownInterest]:
    """The interests of a list as `who` sees them, those they may not see left out."""
    who = who if isinstance(who, Viewer) else viewer(who)
    return [item for item in (shown(who, interest) for interest in interests) if item]


def with_relations(queryset):
    """What `shown` reads, in the list's one query."""
    return queryset.select_related("notice", "notice__organisation", "notice__created_by",
                                   "organisation", "person")
