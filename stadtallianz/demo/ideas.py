"""Demo ideas for `stadtallianz demo`: about sixty German ideas in every state, by the demo
accounts and people of the demo organisations, with tags, places in Münster, co-authors, a few
versions, comments, replies and supports. Accepted ones become projects.

Idempotent: an idea whose title exists is left alone. Seed data, so it writes with the ORM
(the counters set to match the rows written) rather than through the services; accepting goes
through `create_from_idea` so each accepted idea has its project.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import translation

from stadtallianz.accounts.models import User
from stadtallianz.core.models import FocusArea, Principle, SustainableDevelopmentGoal
from stadtallianz.core.office import office_name
from stadtallianz.ideas.models import CoAuthor, Comment, Follow, Idea, IdeaVersion, Support
from stadtallianz.projects.services import create_from_idea
from stadtallianz.workinggroups.models import WorkingGroup

from . import datafiles
from .accounts import DEMO_DOMAIN

S = Idea.State
SUB, DIS, ACC, DEC, MER = S.SUBMITTED, S.DISCUSSION, S.ACCEPTED, S.DECLINED, S.MERGED

# data/ideas.json: "ideas" [{title, text, focus_areas (slugs), principles and sdgs (numbers),
# working_group (slug or null), street (index into the alliance's streets, or null), state}],
# "merges" {merged idea's title: the title of the idea it went into}, "decline_reason" ("{office}":
# the coordination office's name),
# "comments" and "replies" (texts the crowd writes).
DATA = datafiles.load("ideas")
IDEAS = DATA["ideas"]
MERGES = DATA["merges"]
DECLINE_REASON = DATA["decline_reason"]
COMMENTS = DATA["comments"]
REPLIES = DATA["replies"]


def _people() -> tuple[dict, list]:
    demo_accounts = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    accounts = {user.email.split("@")[0]: user for user in demo_accounts}
    others = list(
        User.objects.filter(email__endswith=".example", is_active=True).order_by("pk")[:40]
    )
    return accounts, others


# Pseudonyms some demo people chose; the others show their first name and initial. A visitor
# reads a conversation between named people, and no demo person's full name is shown.
PSEUDONYMS = ["Hafenblick", "Kiepenkerl", "Promenadenradlerin", "Aaseeläufer", "Lambertikind",
              "Kreuzviertel42", "Stadtgrün", "Domplatzfan"]


def give_display_names(people) -> None:
    """Every demo person without a display name gets one, unique among them."""
    taken = set(User.objects.exclude(display_name="").values_list("display_name", flat=True))
    for index, person in enumerate(people):
        if person.display_name:
            continue
        first, *rest = (person.full_name or "Person").split()
        candidates = [PSEUDONYMS[index % len(PSEUDONYMS)]] if index % 3 == 2 else []
        candidates += [f"{first} {rest[-1][0]}." if rest else first, f"{first} {index}"]
        name = next(c for c in candidates if c.casefold() not in {t.casefold() for t in taken})
        person.display_name = name
        person.save(update_fields=["display_name"])
        taken.add(name)


def load(*, now) -> int:
    """Creates what is missing and returns how many ideas it created."""
    existing = set(
        Idea.objects.filter(title__in=[row["title"] for row in IDEAS]).values_list(
            "title", flat=True)
    )
    if len(existing) == len(IDEAS):
        return 0
    accounts, others = _people()
    coordinator = accounts.get("koordination")
    if coordinator is None:
        return 0  # the demo command makes the accounts first
    authors = [accounts[key] for key in ("buerger", "mitglied", "admin") if key in accounts]
    authors += others[:12]
    crowd = list(accounts.values()) + others
    give_display_names(crowd)
    focus = {area.slug: area for area in FocusArea.objects.all()}
    principles = {p.number: p for p in Principle.objects.all()}
    sdgs = {goal.number: goal for goal in SustainableDevelopmentGoal.objects.all()}
    groups = {group.slug: group for group in WorkingGroup.objects.all()}
    rng = random.Random(4711)
    by_title = {idea.title: idea for idea in Idea.objects.filter(title__in=existing)}
    created = 0
    streets = datafiles.load("alliance")["streets"]
    for index, row in enumerate(IDEAS):
        title, text, areas = row["title"], row["text"], row["focus_areas"]
        principle_numbers, sdg_numbers = row["principles"], row["sdgs"]
        group, street, state = row["working_group"], row["street"], row["state"]
        if title in existing:
            continue
        author = authors[index % len(authors)]
        place = {}
        if street is not None:
            place_street = streets[street % len(streets)]
            name, latitude, longitude = (place_street["name"], place_street["latitude"],
                                         place_street["longitude"])
            place = {
                "place_name": f"{name}, Münster",
                "latitude": Decimal(f"{latitude + rng.uniform(-0.001, 0.001):.6f}"),
                "longitude": Decimal(f"{longitude + rng.uniform(-0.0015, 0.0015):.6f}"),
            }
        description = (
            f"{text}\n\n## Warum\n\nDas macht Münster lebenswerter und zeigt, was "
            f"die Allianz gemeinsam erreichen kann.\n\n## Erste Schritte\n\n"
            f"- Gespräch mit der Arbeitsgruppe\n- Kosten schätzen\n- Einen Ort für "
            f"einen Versuch finden"
        )
        idea = Idea.objects.create(
            title=title,
            description=description,
            author=author,
            working_group=groups.get(group) if group else None,
            **place,
        )
        idea.focus_areas.set([focus[a] for a in areas if a in focus])
        idea.principles.set([principles[n] for n in principle_numbers if n in principles])
        idea.sdgs.set([sdgs[n] for n in sdg_numbers if n in sdgs])
        details = {
            "focus_areas": sorted(a for a in areas if a in focus),
            "principles": sorted(principle_numbers),
            "sdgs": sorted(sdg_numbers),
            "working_group": group,
            "place_name": place.get("place_name", ""),
            "latitude": str(place["latitude"]) if place else None,
            "longitude": str(place["longitude"]) if place else None,
        }
        IdeaVersion.objects.create(
            idea=idea, number=1, title=title, description=text, details=details, author=author
        )
        if index % 5 == 0:
            # A second version: the author added the reasons and the first steps.
            IdeaVersion.objects.create(
                idea=idea,
                number=2,
                title=title,
                description=description,
                details=details,
                author=author,
            )
            idea.version = 2
        else:
            IdeaVersion.objects.filter(idea=idea, number=1).update(description=description)
        Follow.objects.get_or_create(idea=idea, user=author)
        if index % 4 == 1:
            coauthor = authors[(index + 3) % len(authors)]
            if coauthor.pk != author.pk:
                CoAuthor.objects.create(
                    idea=idea,
                    user=coauthor,
                    email=coauthor.email.lower(),
                    invited_by=author,
                    state=CoAuthor.State.ACCEPTED,
                    accepted_at=now,
                )
                Follow.objects.get_or_create(idea=idea, user=coauthor)
        supporters = rng.sample(crowd, min(len(crowd), rng.randint(0, 25)))
        Support.objects.bulk_create(
            [Support(idea=idea, user=user) for user in supporters], ignore_conflicts=True
        )
        comments = 0
        for position in range(rng.randint(0, 5)):
            comment = Comment.objects.create(
                idea=idea,
                author=rng.choice(crowd),
                body=COMMENTS[(index + position) % len(COMMENTS)],
            )
            comments += 1
            if rng.random() < 0.4:
                Comment.objects.create(
                    idea=idea,
                    parent=comment,
                    author=rng.choice(crowd),
                    body=REPLIES[(index + position) % len(REPLIES)],
                )
                comments += 1
        idea.support_count = idea.supports.count()
        idea.comment_count = comments
        idea.save()
        # Spread over half a year; set on the instance too, as later saves write every field.
        idea.created_at = now - timedelta(days=180 - index * 3)
        Idea.objects.filter(pk=idea.pk).update(created_at=idea.created_at)
        by_title[title] = idea
        created += 1
        if state in (DIS, ACC, DEC):
            _decide(idea, state, coordinator, now)
    for title, target in MERGES.items():
        idea = by_title.get(title)
        if idea is not None and idea.state != MER and target in by_title:
            idea.state, idea.merged_into = MER, by_title[target]
            idea.state_reason = "Zusammengeführt, weil beide Ideen dasselbe Ziel haben."
            idea.state_changed_at = now
            idea.save()
    return created


def _decide(idea: Idea, state: str, coordinator, now) -> None:
    idea.state = state
    idea.state_changed_at = now - timedelta(days=10)
    if state == DEC:
        # German, like the other demo texts; the office by its configured name (core/office.py).
        with translation.override("de"):
            idea.state_reason = DECLINE_REASON.format(office=office_name())
    idea.save()
    if state == ACC:
        create_from_idea(idea, coordinator)
