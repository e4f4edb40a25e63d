"""Benchmark: taking part in ideas at national scale (20,000 ideas, 200,000 comments).

Uses the data of bench/ideas.py (the same database, `<name>_ideas`, generated if missing) and
adds 500 open reports. Times, in-process with Django's test client: the page of the idea with
2,000 comments (first and a later page of comments) for a visitor and for a logged-in person,
its comments in the API, the caller's participation state, the coordination office's
moderation queue (page and API), and a support followed by its withdrawal (the write path):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stadtallianz_bench \\
        .venv/bin/python bench/participation.py
"""

import sys
import time

from common import (
    describe_run,
    measure,
    parse_arguments,
    print_table,
    say,
    setup,
    status_check,
    time_request,
)

REPORTS = 500


def main() -> int:
    arguments = parse_arguments(__doc__, {"--ideas": (20_000, "synthetic ideas"),
                                          "--comments": (200_000, "synthetic comments")},
                                smoke={"ideas": 300, "comments": 3000})
    started = setup("ideas", smoke=arguments.smoke)  # the database of bench/ideas.py
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone
    from ideas import PREFIX, generate_ideas

    from stadtallianz.accounts.models import User
    from stadtallianz.ideas.models import Comment, Idea, IdeaReport

    generate_ideas(arguments.ideas, arguments.comments, progress=say)
    person, _new = User.objects.get_or_create(
        email="bench-participant@example.org",
        defaults={"full_name": "Bench Participant", "email_confirmed_at": timezone.now()})
    office, _new = User.objects.get_or_create(
        email="bench-office@example.org",
        defaults={"full_name": "Bench Office", "email_confirmed_at": timezone.now(),
                  "is_coordinator": True})
    missing = REPORTS - IdeaReport.objects.filter(state=IdeaReport.State.OPEN).count()
    if missing > 0:
        comments = list(Comment.objects.filter(hidden_at=None).order_by("pk")
                        .values_list("pk", "idea_id")[:missing // 2])
        ideas = list(Idea.objects.filter(hidden_at=None).order_by("pk")
                     .values_list("pk", flat=True)[:missing - len(comments)])
        # One by one: a report is two rows (moderation.Report and its IdeaReport), which
        # bulk_create cannot write.
        with transaction.atomic():
            for comment, idea in [*comments, *((None, idea) for idea in ideas)]:
                IdeaReport.objects.create(idea_id=idea, comment_id=comment, reporter=person,
                                          reason="Bench")
    say(f"data: {time.perf_counter() - started:.1f} s")
    describe_run(arguments, f"{Idea.objects.count()} ideas, {Comment.objects.count()} comments, "
                 f"{IdeaReport.objects.filter(state=IdeaReport.State.OPEN).count()} open reports")

    hot = Idea.objects.filter(title__startswith=PREFIX).order_by("pk").first()
    Idea.objects.filter(pk=hot.pk).update(state=Idea.State.DISCUSSION)
    visitor, participant, coordinator = Client(), Client(), Client()
    participant.force_login(person)
    coordinator.force_login(office)
    page = f"/de/ideas/{hot.pk}/"
    get = [
        (f"idea page ({hot.comment_count} comments), visitor", visitor, page),
        ("idea page, logged in", participant, page),
        ("idea page, comments page 40, logged in", participant, page + "?page=40"),
        ("API comments (20 with replies)", visitor, f"/api/v1/ideas/{hot.pk}/comments"),
        ("API comments, limit 100, offset 900", visitor,
         f"/api/v1/ideas/{hot.pk}/comments?limit=100&offset=900"),
        ("API participation state, logged in", participant,
         f"/api/v1/ideas/{hot.pk}/participation"),
        ("moderation queue page", coordinator, "/de/ideas/moderation/"),
        ("moderation queue page 10", coordinator, "/de/ideas/moderation/?page=10"),
        ("API moderation queue", coordinator, "/api/v1/ideas/moderation/reports"),
    ]
    rows = [(label, url, time_request(client, url, arguments, statuses=(200, 302)))
            for label, client, url in get]
    support, unsupport = f"/de/ideas/{hot.pk}/support/", f"/de/ideas/{hot.pk}/unsupport/"

    def support_and_withdraw():
        participant.post(support)
        return participant.post(unsupport)

    rows.append(("support + withdraw (2 POSTs)", support, measure(
        support_and_withdraw, requests=arguments.requests, warmup=arguments.warmup,
        check=status_check(support, (200, 302)))))
    print_table(rows, heading="request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
