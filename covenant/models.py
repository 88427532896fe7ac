"""The community core: who lives where, and who holds which role."""

from decimal import Decimal

import rules
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class UserManager(DjangoUserManager):
    """Email is the login; there is no username."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account. We keep the least: a display name, an email, and a
    phone number only if they add one (PIPL)."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(
        _("display name"),
        max_length=40,
        help_text=_("How neighbours see you, e.g. 王阿姨 or 3栋小李."),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    phone = models.CharField(
        _("phone number"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^\+?[0-9][0-9 -]{5,18}$",
                _("Enter a phone number using digits, spaces or dashes."),
            )
        ],
    )
    privacy_consent_at = models.DateTimeField(
        _("privacy notice accepted at"), null=True, blank=True
    )
    # When the user last opened their home: what arrived since is marked "new".
    home_seen_at = models.DateTimeField(_("home last seen at"), null=True, blank=True)
    deleted_at = models.DateTimeField(
        _("account deleted at"),
        null=True,
        blank=True,
        help_text=_(
            "The person deleted their account; what they wrote stays as a former resident's."
        ),
    )
    # Someone who belongs to several estates works in one at a time: their lists, queues,
    # badges and form choices show it (covenant.rules.listed_estates). Read with the user
    # row, so it costs no query; one they no longer belong to is ignored.
    working_estate = models.ForeignKey(
        "Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("working in estate"),
    )

    # 长辈模式: large type, read aloud and a simpler home; a way of showing the same
    # pages, remembered on the account (visitors keep it in a cookie: covenant.elders).
    elders_mode = models.BooleanField(
        _("elders' mode"),
        default=False,
        help_text=_("Large type, read aloud and a simpler home."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return str(self.display_name)

    @property
    def display_name(self):
        """What others see: the chosen name, or "former resident" once deleted."""
        if self.deleted_at is not None:
            return _("Former resident")
        return self.name

    def get_full_name(self):
        return self.display_name

    def has_perm(self, perm, obj=None):
        # Django lets an active superuser through every permission before asking any
        # backend. The portal's own permissions (covenant/rules.py) must hold for a
        # superuser too: an admin signs no resolution and decides no own request.
        if rules.perm_exists(perm):
            return rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    def get_short_name(self):
        return self.display_name


class District(models.Model):
    """A community (社区): several estates under one Party branch and neighbourhood
    committee. Named District so that it is never confused with Community, the estate."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("community (several estates)")
        verbose_name_plural = _("communities (several estates)")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Community(models.Model):
    """An estate (小区)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Estates of one community (社区) are seen side by side by those who hold the Party
    # branch's or an admin's role in several of them; an estate may stand alone.
    district = models.ForeignKey(
        District,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="estates",
        verbose_name=_("community (several estates)"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Building(models.Model):
    """A building (楼栋) of the estate, known by its number."""

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="buildings",
        verbose_name=_("estate"),
    )
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    floor_count = models.PositiveSmallIntegerField(_("floors"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["community", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "number"], name="building_number_unique_in_community"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="building_number_positive"),
            models.CheckConstraint(condition=Q(floor_count__gte=1), name="building_has_a_floor"),
        ]

    def __str__(self):
        return _("Building %(number)s") % {"number": self.number}


class Household(models.Model):
    """A unit (户) in a building. Its floor area weighs its owners' votes."""

    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("building"),
    )
    floor = models.SmallIntegerField(_("floor"), validators=[MinValueValidator(1)])
    unit = models.CharField(
        _("unit"),
        max_length=10,
        validators=[RegexValidator(r"^[0-9A-Za-z-]+$", _("Use digits and letters, e.g. 1201."))],
        help_text=_("The door number, e.g. 1201 for floor 12, door 01."),
    )
    floor_area = models.DecimalField(
        _("floor area (m²)"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building__number", "floor", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit"], name="household_unit_unique_in_building"
            ),
            models.CheckConstraint(condition=Q(floor__gte=1), name="household_floor_positive"),
            models.CheckConstraint(
                condition=Q(floor_area__gt=0), name="household_floor_area_positive"
            ),
        ]

    def __str__(self):
        return _("Building %(building)s, unit %(unit)s") % {
            "building": self.building.number,
            "unit": self.unit,
        }

    def clean(self):
        super().clean()
        if self.building_id and self.floor and self.floor > self.building.floor_count:
            raise ValidationError(
                {
                    "floor": _("Building %(number)s has only %(count)s floors.")
                    % {"number": self.building.number, "count": self.building.floor_count}
                }
            )


class Membership(models.Model):
    """A user's tie to a household, asked for by the user and decided by a captain of
    the building (or an admin)."""

    class Relation(models.TextChoices):
        OWNER = "owner", _("Owner")
        TENANT = "tenant", _("Tenant")
        FAMILY = "family", _("Family member")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("household"),
    )
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    message = models.CharField(
        _("note to the captain"),
        max_length=200,
        blank=True,
        help_text=_("Anything that helps your captain recognise you, e.g. 'I moved in in May'."),
    )
    # Only the deciders see it (the captains of the place and the estate's admins): never
    # the household's other members, never another person's data export.
    proof_note = models.CharField(
        _("proof for the captain"),
        max_length=40,
        blank=True,
        help_text=_(
            "For owners: e.g. the last four digits of your property certificate. Only your "
            "building's captains and the estate admin see it."
        ),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    outcome_seen_at = models.DateTimeField(_("outcome seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-requested_at"]
        constraints = [
            # One open request or verified tie per person and household; a rejected or
            # withdrawn request may be followed by a new one.
            models.UniqueConstraint(
                fields=["user", "household"],
                condition=Q(status__in=["requested", "verified"]),
                name="membership_one_active_per_user_household",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "withdrawn"]) | Q(decided_at__isnull=False),
                name="membership_decision_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="membership_rejection_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "household"], name="membership_status_idx")]

    def __str__(self):
        return f"{self.user} · {self.household}"

    def get_absolute_url(self):
        return reverse("membership_detail", args=[self.pk])

    @property
    def outcome_is_unseen(self) -> bool:
        """Decided, and the person has not been shown the decision yet."""
        return self.outcome_seen_at is None and self.status in (
            self.Status.VERIFIED,
            self.Status.REJECTED,
        )


class MembershipEvent(models.Model):
    """The audit trail of a membership's status."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="events", verbose_name=_("membership")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(
        _("from"), max_length=10, choices=Membership.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=10, choices=Membership.Status.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.membership_id}: {self.from_status or '∅'} → {self.to_status}"


class Role(models.TextChoices):
    CAPTAIN = "captain", _("Building captain")
    PROPERTY_STAFF = "property_staff", _("Property staff")
    PARTY_BRANCH = "party_branch", _("Party branch member")
    COMMUNITY_ADMIN = "community_admin", _("Community administrator")


class RoleGrant(models.Model):
    """A role held by a user. A captain's grant names a building and, optionally, the
    floors of it they look after."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_grants",
        verbose_name=_("user"),
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("estate")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    building = models.ForeignKey(
        Building,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("building"),
    )
    floor_from = models.SmallIntegerField(_("from floor"), null=True, blank=True)
    floor_to = models.SmallIntegerField(_("to floor"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["role", "building__number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="captain", building__isnull=False)
                | (~Q(role="captain") & Q(building__isnull=True)),
                name="rolegrant_building_only_for_captains",
            ),
            models.CheckConstraint(
                condition=Q(floor_from__isnull=True, floor_to__isnull=True)
                | Q(
                    role="captain",
                    floor_from__isnull=False,
                    floor_to__isnull=False,
                    floor_from__gte=1,
                    floor_from__lte=F("floor_to"),
                ),
                name="rolegrant_floor_range_valid",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "building"],
                name="rolegrant_unique_captain",
                condition=Q(building__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "community"],
                name="rolegrant_unique_estate_role",
                condition=Q(building__isnull=True),
            ),
        ]

    def __str__(self):
        if self.role != Role.CAPTAIN:
            return f"{self.user} · {self.get_role_display()}"
        scope = str(self.building)
        if self.floor_from is not None:
            scope += _(" (floors %(from)s–%(to)s)") % {"from": self.floor_from, "to": self.floor_to}
        return f"{self.user} · {self.get_role_display()} · {scope}"

    def clean(self):
        super().clean()
        if self.role == Role.CAPTAIN and not self.building_id:
            raise ValidationError({"building": _("A captain looks after a building: choose one.")})
        if self.role != Role.CAPTAIN and (self.building_id or self.floor_from or self.floor_to):
            raise ValidationError(_("Only a captain's grant names a building and floors."))
        if (
            self.building_id
            and self.community_id
            and self.building.community_id != self.community_id
        ):
            raise ValidationError({"building": _("This building belongs to another estate.")})
        if (self.floor_from is None) != (self.floor_to is None):
            raise ValidationError(_("Give both the first and the last floor, or neither."))
        if (
            self.floor_from is not None
            and self.building_id
            and not (1 <= self.floor_from <= self.floor_to <= self.building.floor_count)
        ):
            raise ValidationError(
                _("Floors must run from 1 to %(count)s, the first no higher than the last.")
                % {"count": self.building.floor_count}
            )

    def covers(self, building_id: int, floor: int) -> bool:
        """Whether this captain grant looks after the given building and floor."""
        if self.role != Role.CAPTAIN or self.building_id != building_id:
            return False
        if self.floor_from is None:
            return True
        return self.floor_from <= floor <= self.floor_to


class Party(models.TextChoices):
    """The three parties of the estate's deliberations (三方)."""

    PARTY_BRANCH = "party_branch", _("Community Party branch")
    RESIDENTS = "residents", _("Residents")
    PROPERTY = "property", _("Property manager")


class SignInThrottle(models.Model):
    """Failed sign-ins counted for one account, one account's trusted devices, or one
    network address (covenant/signin.py). Kept in the database, not the cache: a limit
    must hold while Redis is down, and every sign-in reads the database anyway."""

    key = models.CharField(_("key"), max_length=80, unique=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    window_started_at = models.DateTimeField(_("window started at"))
    last_failure_at = models.DateTimeField(_("last failure at"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")
        indexes = [models.Index(fields=["last_failure_at"], name="signin_throttle_age_idx")]

    def __str__(self):
        return f"{self.key}: {self.failures}"


class Heartbeat(models.Model):
    """A timestamp the background machinery leaves by name: when the Celery worker and
    beat last showed they were alive (/healthz reads them), and when mail last failed to
    reach the broker (the outbox catches up once it is back; notices/delivery.py)."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self):
        return f"{self.name}: {self.at:%Y-%m-%d %H:%M:%S}"
