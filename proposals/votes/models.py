"""Owners' votes (业主表决): the vote, its roll of households and their ballots."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from covenant.models import Community, Household
from proposals.deliberations.models import Deliberation
from proposals.ideas.models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH

# --- Owners' votes (业主表决) -----------------------------------------------------------


class OwnersVote(models.Model):
    """A question the owners decide jointly under article 278 of the Civil Code.

    The electorate (every household of the estate and its floor area) is copied into
    `VoteRollEntry` rows when the vote opens, with its totals kept here: a household
    added, removed or re-measured later does not change the count. Arithmetic: tally.py.
    """

    class Matter(models.TextChoices):
        # Items 1-5 and 9 of article 278 pass by simple majority, items 6-8 by three
        # quarters. Using the maintenance fund (item 5) is a majority matter; raising
        # it (item 6) is special.
        ORDINARY = "ordinary", _("Ordinary matter (more than half)")
        RAISE_FUND = "raise_fund", _("Raising the special maintenance fund")
        REBUILD = "rebuild", _("Rebuilding or reconstructing buildings and facilities")
        COMMON_PARTS = (
            "common_parts",
            _("Changing the use of common parts, or using them for business"),
        )

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("owners vote status", "Draft")
        OPEN = "open", pgettext_lazy("owners vote status", "Open")
        CLOSED = "closed", pgettext_lazy("owners vote status", "Closed")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="owners_votes", verbose_name=_("estate")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    question = models.TextField(_("question"), max_length=BODY_MAX_LENGTH)
    matter = models.CharField(
        _("kind of matter"), max_length=12, choices=Matter.choices, default=Matter.ORDINARY
    )
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.DRAFT
    )
    opens_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The deliberation whose resolution the owners are asked to confirm, if any; always
    # of the vote's estate (services check it).
    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owners_votes", verbose_name=_("from the deliberation"),
    )  # fmt: skip
    # The electorate's totals, fixed when the vote opens.
    electorate_households = models.PositiveIntegerField(_("households entitled"), default=0)
    electorate_area = models.DecimalField(
        _("floor area entitled (m²)"), max_digits=12, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("owners' vote")
        verbose_name_plural = _("owners' votes")
        ordering = ["-closes_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(opens_at__isnull=False),
                name="owners_vote_open_has_opening_time",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="owners_vote_closes_after_it_opens",
            ),
        ]
        indexes = [models.Index(fields=["community", "status", "-closes_at"], name="vote_list")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("votes:vote_detail", args=[self.pk])

    @property
    def is_special(self) -> bool:
        return self.matter != self.Matter.ORDINARY

    def state_at(self, moment=None) -> str:
        """The status as people see it: an open vote past its closing time is closed,
        whether or not the closing task has run yet."""
        moment = moment or timezone.now()
        if self.status == self.Status.OPEN and self.closes_at <= moment:
            return self.Status.CLOSED
        return self.status

    @property
    def state(self) -> str:
        return self.state_at()

    @property
    def is_open(self) -> bool:
        return self.state == self.Status.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == self.Status.CLOSED


class VoteRollEntry(models.Model):
    """A household entitled to vote, with its floor area as it was when the vote opened."""

    vote = models.ForeignKey(
        OwnersVote, on_delete=models.CASCADE, related_name="roll", verbose_name=_("vote")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = _("household entitled to vote")
        verbose_name_plural = _("households entitled to vote")
        constraints = [
            models.UniqueConstraint(fields=["vote", "household"], name="roll_once_per_household"),
            models.CheckConstraint(condition=Q(floor_area__gt=0), name="roll_floor_area_positive"),
        ]

    def __str__(self):
        return f"{self.vote_id}/{self.household_id}"


class Ballot(models.Model):
    """A household's one vote: a later ballot of any verified owner of the household
    replaces it while the vote is open (`change_count` says how often)."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        OBJECT = "object", _("Object")
        ABSTAIN = "abstain", _("Abstain")

    vote = models.ForeignKey(
        OwnersVote, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("vote")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    # Copied from the roll, so that the count is one aggregate over ballots.
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=7, decimal_places=2)
    choice = models.CharField(_("choice"), max_length=7, choices=Choice.choices)
    # A paper ballot collected at the door and entered by an admin: `cast_by` is then
    # the admin who entered it.
    on_paper = models.BooleanField(_("paper ballot"), default=False)
    # Emptied when that person deletes their account: the household's vote stands.
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owners_ballots", verbose_name=_("cast by"),
    )  # fmt: skip
    first_cast_at = models.DateTimeField(_("first cast at"), default=timezone.now)
    cast_at = models.DateTimeField(_("cast at"), default=timezone.now)
    change_count = models.PositiveIntegerField(_("times changed"), default=0)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["vote", "household"], name="ballot_once_per_household")
        ]
        indexes = [models.Index(fields=["cast_by"], name="ballot_cast_by")]

    def __str__(self):
        return f"{self.vote_id}/{self.household_id}: {self.choice}"
