"""Hooks higher apps answer, so that funding never imports them.

`deadline_recipients`: sent for each deadline reminder round with `call` and `deadline`;
a receiver returns an iterable of users to remind besides the call's followers, e.g. the
proposals app the people of the consortia applying to the call:

    @receiver(deadline_recipients)
    def consortium_members(sender, call, deadline, **kwargs):
        return User.objects.filter(...)

Receivers decide who may know about the deadline (calls are public, so anyone may)."""

from django.dispatch import Signal

deadline_recipients = Signal()
