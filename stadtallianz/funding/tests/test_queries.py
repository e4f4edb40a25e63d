from stadtallianz.funding import queries, services


def test_my_area_queries(citizen, funding_call, django_assert_max_num_queries):
    services.follow(call=funding_call, user=citizen)
    due = funding_call.deadlines.get().due_at
    with django_assert_max_num_queries(3):
        calls = list(queries.followed_calls(citizen))
        assert [call.next_deadline for call in calls] == [due]
    deadlines = list(queries.followed_deadlines(citizen, limit=5))
    assert deadlines[0].call == funding_call
