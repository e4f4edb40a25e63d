"""Run nightly (deploy/systemd/stadtallianz-validate-catalogue.timer): checks the published
catalogue as DCAT-AP.de RDF against GovData's SHACL shapes in settings.DCAT_SHACL_DIR and
stores the outcome as a ValidationRun (opendata.validation), which the impact dashboard and the
catalogue page show. Without DCAT_SHACL_DIR it says so and stores nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stadtallianz.core import heartbeat
from stadtallianz.opendata import validation


class Command(BaseCommand):
    help = ("Checks the DCAT-AP.de catalogue against the SHACL shapes in DCAT_SHACL_DIR and "
            "stores the outcome.")

    def add_arguments(self, parser):
        parser.add_argument("--shapes", default=None,
                            help="Folder of the shapes (default: settings.DCAT_SHACL_DIR).")

    @heartbeat.job("validate_catalogue")
    def handle(self, *args, shapes=None, **options):
        shapes_dir = shapes if shapes is not None else settings.DCAT_SHACL_DIR
        if not shapes_dir:
            self.stdout.write("DCAT_SHACL_DIR is not set: the catalogue was not checked and "
                              "nothing was stored.")
            return
        try:
            run = validation.record_check(shapes_dir)
        except validation.ShapesMissing as error:
            raise CommandError(f"{error} Set DCAT_SHACL_DIR to the folder of GovData's "
                               "DCAT-AP.de 3.0 shapes.") from error
        self.stdout.write(f"{run.datasets} dataset(s) checked: {run.violations} violation(s), "
                          f"{run.warnings} warning(s).")
        for finding in run.findings:
            self.stdout.write(f"  {finding['severity']}: {finding['count']} × {finding['path']} "
                              f"({finding['shape']}): {finding['message']}")
