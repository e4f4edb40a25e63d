"""Targets the coordination office sets for the key figures (one per figure and year); the
figures themselves are computed from the live data (figures.py) and stored nowhere."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .keys import CHOICES


class ImpactTarget(models.Model):
    key = models.CharField(_("figure"), max_length=40, choices=CHOICES)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    value = models.DecimalField(_("target value"), max_digits=16, decimal_places=2,
                                validators=[MinValueValidator(0)])
    note = models.CharField(_("note"), max_length=300, blank=True,
                            help_text=_("Where the target comes from, e.g. a council decision."))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+", verbose_name=_("set by"))
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("impact target")
        verbose_name_plural = _("impact targets")
        ordering = ["-year", "key"]
        constraints = [models.UniqueConstraint(fields=["key", "year"],
                                               name="impact_one_target_per_figure_and_year")]

    def __str__(self):
        return f"{self.get_key_display()} {self.year}: {self.value}"
