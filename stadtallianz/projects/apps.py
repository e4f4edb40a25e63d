from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "stadtallianz.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from stadtallianz.ideas.signals import idea_accepted

        from .services import project_for_accepted_idea

        idea_accepted.connect(project_for_accepted_idea,
                              dispatch_uid="projects.project_for_accepted_idea")
