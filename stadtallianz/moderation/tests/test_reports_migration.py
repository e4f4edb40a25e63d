"""The data migration into the one report model (moderation/migrating.py), run with real rows:
the reports of ideas and discussions as the release stored them come out as moderation.Report
rows with their child rows and every value, audit entries follow them, and backwards they go
back where they were."""

from datetime import UTC, datetime

import pytest

from stadtallianz.core.testing import migrate_to, migrate_to_latest

BEFORE = [("ideas", "0003_list_indexes_end_in_the_key"), ("discussions", "0001_initial")]
AFTER = [("ideas", "0004_reports_in_moderation"), ("discussions", "0002_reports_in_moderation")]
REPORTED = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
CLOSED = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def at_release(transactional_db):
    """The database at the migrations before the change; the latest again afterwards."""
    yield migrate_to(BEFORE)
    migrate_to_latest()


def _old_reports(apps):
    User = apps.get_model("accounts", "User")
    reporter = User.objects.create(email="melder@example.org", full_name="Mia Melder")
    office = User.objects.create(email="office@example.org", full_name="Olga Office")
    idea = apps.get_model("ideas", "Idea").objects.create(title="Bänke", description="x",
                                                          author=reporter)
    comment = apps.get_model("ideas", "Comment").objects.create(idea=idea, author=office,
                                                                body="Unhöflich")
    group = apps.get_model("workinggroups", "WorkingGroup").objects.create(
        name_de="Energie", slug="energie")
    thread = apps.get_model("discussions", "Thread").objects.create(
        group=group, title="Wärme", author=reporter, last_activity_at=REPORTED)
    post = apps.get_model("discussions", "Post").objects.create(thread=thread, author=office,
                                                                body="Werbung")
    IdeaReport = apps.get_model("ideas", "Report")
    PostReport = apps.get_model("discussions", "Report")
    rows = [
        # (app's old model, link values, values) — ids 1 are in both tables: one must move.
        (IdeaReport, {"idea_id": idea.pk, "comment_id": None},
         {"pk": 1, "reason": "Idee: Spam", "state": "open"}),
        (IdeaReport, {"idea_id": idea.pk, "comment_id": comment.pk},
         {"pk": 2, "reason": "Kommentar: beleidigend", "state": "closed", "closed_at": CLOSED,
          "closed_by_id": office.pk}),
        (PostReport, {"post_id": post.pk},
         {"pk": 1, "reason": "Beitrag: Werbung", "state": "closed", "closed_at": CLOSED,
          "closed_by_id": office.pk}),
        (PostReport, {"post_id": post.pk},
         {"pk": 7, "reason": "Beitrag: nochmal", "state": "open"}),
    ]
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    for model, links, values in rows:
        model.objects.create(reporter=reporter, **links, **values)
        model.objects.filter(pk=values["pk"]).update(created_at=REPORTED)
        old_type = ContentType.objects.get_or_create(app_label=model._meta.app_label,
                                                     model="report")[0]
        AuditEntry.objects.create(action="report.created", content_type=old_type,
                                  object_id=str(values["pk"]), after={"reason": values["reason"]})
    return reporter, office, rows


def _by_reason(apps):
    found = {}
    for label in ("ideas.IdeaReport", "discussions.PostReport"):
        for report in apps.get_model(label).objects.all():
            found[report.reason] = (label, report)
    return found


def test_every_report_moves_into_moderation_with_its_values_and_audit(at_release):
    reporter, office, rows = _old_reports(at_release)
    apps = migrate_to(AFTER)
    found = _by_reason(apps)
    assert apps.get_model("moderation", "Report").objects.count() == len(rows) == len(found)
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("core", "AuditEntry")
    kept_ids = 0
    for _model, links, values in rows:
        label, report = found[values["reason"]]
        assert report.reporter_id == reporter.pk
        assert report.state == values["state"]
        assert report.created_at == REPORTED
        assert report.closed_at == values.get("closed_at")
        assert report.closed_by_id == values.get("closed_by_id")
        assert {name: getattr(report, name) for name in links} == links
        kept_ids += report.pk == values["pk"]
        new_type = ContentType.objects.get(app_label=label.split(".")[0],
                                           model=label.split(".")[1].lower())
        entry = AuditEntry.objects.get(after__reason=values["reason"])
        assert (entry.content_type_id, entry.object_id) == (new_type.pk, str(report.pk))
    assert kept_ids == len(rows) - 1  # only one of the two reports numbered 1 had to move
    # New reports are numbered after the moved ones (PostgreSQL's sequence follows).
    Report = apps.get_model("moderation", "Report")
    assert apps.get_model("ideas", "IdeaReport").objects.create(
        idea_id=rows[0][1]["idea_id"], reporter_id=reporter.pk, reason="neu").pk > max(
        Report.objects.exclude(reason="neu").values_list("pk", flat=True))


def test_backwards_the_reports_go_back(at_release):
    reporter, office, rows = _old_reports(at_release)
    after = migrate_to(AFTER)
    apps = migrate_to(BEFORE)
    # (moderation's own table stays: its app is not unapplied, only emptied)
    assert not after.get_model("moderation", "Report").objects.exists()
    for model_label in ("ideas.Report", "discussions.Report"):
        model = apps.get_model(model_label)
        expected = {values["reason"]: values for old, _links, values in rows
                    if old._meta.label == model_label}
        assert {report.reason for report in model.objects.all()} == set(expected)
        for report in model.objects.all():
            values = expected[report.reason]
            assert (report.state, report.created_at, report.closed_by_id) == (
                values["state"], REPORTED, values.get("closed_by_id"))
