from stadtallianz.funding import feeds, privacy, queries, services
from stadtallianz.funding.models import Call, CallFollow, DeadlineFeed


def test_personal_data_and_erasure(citizen, coordinator, funding_call):
    services.follow(call=funding_call, user=citizen)
    feeds.feed_create(user=citizen)
    data = privacy.personal_data(citizen)
    assert data["funding_follows"][0]["call_slug"] == funding_call.slug
    assert len(data["funding_deadline_feed"]) == 1
    assert privacy.personal_data(coordinator)["funding_calls_verified"] == [funding_call.slug]
    privacy.erase_personal_data(citizen)
    privacy.erase_personal_data(coordinator)
    assert not CallFollow.objects.exists() and not DeadlineFeed.objects.exists()
    call = Call.objects.get()
    assert call.verified_by is None and call.verified_on is not None


def test_my_area_queries_and_search_text(citizen, funding_call, django_assert_max_num_queries):
    services.follow(call=funding_call, user=citizen)
    due = funding_call.deadlines.get().due_at
    with django_assert_max_num_queries(3):
        calls = list(queries.followed_calls(citizen))
        assert [call.next_deadline for call in calls] == [due]
    deadlines = list(queries.followed_deadlines(citizen, limit=5))
    assert deadlines[0].call == funding_call
    text = queries.search_text(funding_call)
    assert "HORIZON-CL5-2027-02-D6-07" in text and "Horizont Europa" in text
