"""Who may do what on the impact dashboard. Reading: everyone (the figures count only what the
public may see, figures.py). Setting targets: the coordination office alone; the targets are
the alliance's commitments, not a partner's."""


def can_set_targets(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_coordination_office)
