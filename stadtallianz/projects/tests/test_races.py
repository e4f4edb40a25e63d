"""Two saves of one project version at once: exactly one wins, the other is told (EditConflict),
never a lost update. Two invitations answered at once: answered once. Needs PostgreSQL: only it
lets two connections write at once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from stadtallianz.core.models import AuditEntry
from stadtallianz.core.testing import in_open_transaction
from stadtallianz.projects import services
from stadtallianz.projects.models import ConsortiumMember, Project, Result

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers"),
]


def test_two_edits_of_one_version_at_once(project, partner_member, partner_admin):
    thread, errors = in_open_transaction(lambda: services.update_project(
        project=Project.objects.get(pk=project.pk), actor=partner_admin, version=1,
        data={"title_de": "Anna"}))
    with pytest.raises(services.EditConflict) as conflict:
        services.update_project(project=Project.objects.get(pk=project.pk),
                                actor=partner_member, version=1, data={"title_de": "Max"})
    thread.join()
    assert errors == []
    assert conflict.value.project.version == 2 and conflict.value.fields == ["title_de"]
    stored = Project.objects.get(pk=project.pk)
    assert (stored.title_de, stored.version) == ("Anna", 2)
    assert AuditEntry.objects.filter(action="project.changed").count() == 1


def test_an_invitation_answered_twice_at_once(invitation, other_admin):
    thread, errors = in_open_transaction(lambda: services.answer(
        member=invitation, actor=other_admin, accept=True))
    with translation.override("en"), pytest.raises(ValidationError, match="already"):
        services.answer(member=invitation, actor=other_admin, accept=False)
    thread.join()
    assert errors == []
    assert ConsortiumMember.objects.get(pk=invitation.pk).state == "accepted"


def test_two_results_saved_at_once_make_the_true_mean(project, partner_member, partner_admin):
    """Without the project's row lock the second save computes its mean without the first
    (not yet committed) result and overwrites the right one: progress 0 instead of 50."""
    thread, errors = in_open_transaction(lambda: services.save_part(
        project=Project.objects.get(pk=project.pk), actor=partner_admin, instance=Result(),
        data={"title": "Fertig", "progress": 100}))
    services.save_part(project=Project.objects.get(pk=project.pk), actor=partner_member,
                       instance=Result(), data={"title": "Neu", "progress": 0})
    thread.join()
    assert errors == []
    assert Project.objects.get(pk=project.pk).progress == 50


def test_a_result_deleted_while_another_is_saved(project, partner_member, partner_admin):
    old = services.save_part(project=project, actor=partner_admin, instance=Result(),
                             data={"title": "Alt", "progress": 20})
    thread, errors = in_open_transaction(lambda: services.save_part(
        project=Project.objects.get(pk=project.pk), actor=partner_admin, instance=Result(),
        data={"title": "Fertig", "progress": 100}))
    services.delete_part(project=Project.objects.get(pk=project.pk), actor=partner_member,
                         instance=old)
    thread.join()
    assert errors == []
    assert Project.objects.get(pk=project.pk).progress == 100
