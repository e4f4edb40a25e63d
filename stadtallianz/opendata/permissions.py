"""Who may do what with the partners' own datasets: the one place the catalogue decides it.

- Register a dataset: the people (members and admins) of a confirmed partner organisation, for
  that organisation (the coordination office reviews, it does not register for a partner).
- Edit, submit for review, withdraw: the organisation's admins and the person who registered
  it (while still one of the organisation's people).
- Review (publish or return with a note): the coordination office only, and only what is
  submitted.
- See: a published dataset everybody; one not published its organisation's people and the
  coordination office (Dataset.objects.visible_to).

Lab and platform datasets are made by the platform (opendata.sync, opendata.alliance_data): nobody
edits them by hand.

A published dataset that its partner edits stays published (the partner answers for its own
data offer, as for its directory entry); every change is in the audit log with the fields
changed, and the coordination office can withdraw it.
"""

from stadtallianz.partners.models import Membership, Organisation

from .models import Dataset

EDITABLE_STATES = (Dataset.State.DRAFT, Dataset.State.SUBMITTED, Dataset.State.REJECTED,
                   Dataset.State.PUBLISHED, Dataset.State.WITHDRAWN)
SUBMITTABLE_STATES = (Dataset.State.DRAFT, Dataset.State.REJECTED, Dataset.State.WITHDRAWN)
WITHDRAWABLE_STATES = (Dataset.State.SUBMITTED, Dataset.State.PUBLISHED)


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def organisations_for(user):
    """The organisations a person may register datasets for (the form's choices and the rule
    the service checks)."""
    organisations = Organisation.objects.public().order_by("name", "pk")
    if not _active(user):
        return organisations.none()
    return organisations.filter(pk__in=Membership.objects.filter(user=user)
                                .values("organisation"))


def can_register(user, organisation: Organisation | None = None) -> bool:
    organisations = organisations_for(user)
    if organisation is None:
        return organisations.exists()
    return organisations.filter(pk=organisation.pk).exists()


def _is_admin(user, organisation_id) -> bool:
    return Membership.objects.filter(user=user, organisation_id=organisation_id,
                                     role=Membership.Role.ADMIN).exists()


def _is_member(user, organisation_id) -> bool:
    return Membership.objects.filter(user=user, organisation_id=organisation_id).exists()


def can_edit(user, dataset: Dataset) -> bool:
    if not _active(user) or dataset.kind != Dataset.Kind.PARTNER:
        return False
    if dataset.state not in EDITABLE_STATES or dataset.publisher_id is None:
        return False
    if _is_admin(user, dataset.publisher_id):
        return True
    return dataset.created_by_id == user.pk and _is_member(user, dataset.publisher_id)


def can_submit(user, dataset: Dataset) -> bool:
    return dataset.state in SUBMITTABLE_STATES and can_edit(user, dataset)


def can_review(user, dataset: Dataset) -> bool:
    return (_active(user) and user.is_coordination_office
            and dataset.kind == Dataset.Kind.PARTNER and dataset.state == Dataset.State.SUBMITTED)


def can_review_any(user) -> bool:
    return _active(user) and user.is_coordination_office


def can_withdraw(user, dataset: Dataset) -> bool:
    if dataset.kind != Dataset.Kind.PARTNER or dataset.state not in WITHDRAWABLE_STATES:
        return False
    return (_active(user) and user.is_coordination_office) or can_edit(user, dataset)


def can_see(user, dataset: Dataset) -> bool:
    return Dataset.objects.visible_to(user).filter(pk=dataset.pk).exists()
