"""People and ideas of the core idea tests (submission, edits, co-authors, states, lists, API).

Imported with `from .fixtures import *  # noqa: F403`. The people: `citizen`, `partner_member`,
`partner_admin`, `coordinator` (root conftest), `lead` and `member` of `group` (working groups'
fixtures), `other_lead` (lead of another group), `writer` who wrote `idea` (in `group`,
submitted through the service, so it has version 1 and follows it) and `unconfirmed`.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.ideas import services
from stadtallianz.workinggroups.tests import fixtures as group_fixtures
from stadtallianz.workinggroups.tests.fixtures import *  # noqa: F403

__all__ = [*group_fixtures.__all__, "writer", "unconfirmed", "submit", "idea", "png",
           "api"]


@pytest.fixture
def writer(make_user):
    return make_user("writer@example.org", full_name="Wanda Writer")


@pytest.fixture
def unconfirmed(make_user):
    return make_user("unconfirmed@example.org", full_name="Udo Unconfirmed",
                     email_confirmed_at=None)


@pytest.fixture
def submit(db, writer):
    def make(title="Radweg an der Promenade", *, by=None, **data):
        data.setdefault("description", "Ein **sicherer** Radweg.")
        area = FocusArea.objects.filter(slug="mobility").first()
        data.setdefault("focus_areas", [area] if area else [])
        return services.idea_create(by=by or writer, data={"title": title, **data})

    return make


@pytest.fixture
def idea(submit, group):
    return submit(working_group=group, principles=list(Principle.objects.filter(number=1)),
                  sdgs=list(SustainableDevelopmentGoal.objects.filter(number=11)))


def make_png(size=(2, 2)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def png():
    def make(name="bild.png", content=None):
        return SimpleUploadedFile(name, content if content is not None else make_png(),
                                  content_type="image/png")

    return make


@pytest.fixture
def api(client, request):
    """api(role) returns send(method, path, body=None) with that person's bearer token (None: a
    visitor)."""
    import json

    from stadtallianz.accounts.models import ApiToken

    def make(role):
        headers = {}
        if role is not None:
            user = role if not isinstance(role, str) else request.getfixturevalue(role)
            _token, key = ApiToken.issue(user=user, name="test")
            headers["Authorization"] = f"Bearer {key}"

        def send(method, path, body=None):
            kwargs = {"headers": headers}
            if body is not None:
                kwargs.update(data=json.dumps(body), content_type="application/json")
            return getattr(client, method)(path, **kwargs)

        return send

    return make
