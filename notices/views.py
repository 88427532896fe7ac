from pathlib import PurePosixPath

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from covenant.models import Building, Household, Role
from covenant.rules import listed_estates, listed_estates_where
from notices import kinds, previews, relay, selectors, services
from notices.forms import AnnouncementEditForm, AnnouncementForm, PreferencesForm, WithdrawForm
from notices.models import (
    Announcement,
    Attachment,
    Audience,
    HouseholdReach,
    Notification,
    NotificationPreference,
)


def _page(request, items, per_page=None):
    return Paginator(items, per_page or settings.NOTICES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )


# --- Inbox ----------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request):
    unread_only = request.GET.get("show") == "unread"
    page = _page(request, selectors.inbox_of(request.user, unread_only=unread_only))
    for notification in page:
        notification.text = kinds.render_text(notification, reader=request.user)
    return render(request, "notices/inbox.html", {"page": page, "unread_only": unread_only})


@login_required
@require_GET
def unread_badge(request):
    """The navigation's unread count, fetched by htmx after the page has loaded."""
    unread = selectors.unread_count(request.user)
    # Rendered without the request: the site's context processors (roles, queue
    # counts) would cost queries this fragment does not need.
    return HttpResponse(render_to_string("notices/_unread_badge.html", {"unread": unread}))


@login_required
@require_GET
def open_notification(request, notification_id):
    """Follow a notification to its subject, marking it read on the way."""
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    services.mark_read(user=request.user, notification_id=notification.pk)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect("notices:inbox")


@login_required
@require_POST
def mark_read(request, notification_id):
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    services.mark_read(user=request.user, notification_id=notification.pk)
    if request.htmx:
        notification.refresh_from_db()
        notification.text = kinds.render_text(notification, reader=request.user)
        return render(request, "notices/inbox.html#notification", {"notification": notification})
    return redirect(_back(request, reverse("notices:inbox")))


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("%(count)s marked as read.") % {"count": count})
    return redirect("notices:inbox")


def _back(request, default: str) -> str:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return default


# --- Preferences and unsubscribing ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    chosen = dict(
        NotificationPreference.objects.filter(user=request.user).values_list("kind", "email")
    )
    form = PreferencesForm(request.POST or None, user=request.user, chosen=chosen)
    if request.method == "POST" and form.is_valid():
        services.set_preferences(user=request.user, modes=form.cleaned_data)
        messages.success(request, _("Your mail settings have been saved."))
        return redirect("notices:preferences")
    return render(request, "notices/preferences.html", {"form": form})


@csrf_exempt  # RFC 8058: mail clients POST here without a session or a CSRF token.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks (mail scanners follow links); POST, by the button or a mail client's
    one-click, switches the mail off. No sign-in: the signed token is the proof."""
    found = services.read_unsubscribe_token(token)
    if found is None:
        return render(request, "notices/unsubscribe.html", {"invalid": True}, status=400)
    user, kind = found
    if request.method == "POST":
        switched = services.unsubscribe(user=user, kind=kind)
        labels = [kinds.get(key).label for key in switched]
        return render(request, "notices/unsubscribe.html", {"done": True, "labels": labels})
    if kind.startswith(services.ALL_OF_FREQUENCY):
        label = _("everything in this digest")
    else:
        label = kinds.get(kind).label
    return render(request, "notices/unsubscribe.html", {"label": label, "token": token})


# --- Announcements ----------------------------------------------------------------------


@require_GET
def announcement_list(request):
    query = request.GET.get("q", "").strip()[:100]
    archive = request.GET.get("archive") == "1"
    page = _page(request, selectors.announcement_list(request.user, query=query, archive=archive))
    context = {
        "page": page,
        "query": query,
        "archive": archive,
        "can_publish": request.user.has_perm("notices.publish"),
        # Whose announcement it is goes without saying to someone of one estate only.
        "show_estate": len(listed_estates(request.user)) != 1,
        "page_query": urlencode(
            {
                key: value
                for key, value in (("q", query), ("archive", "1" if archive else ""))
                if value
            }
        )
        + "&"
        if (query or archive)
        else "",
    }
    return render(request, "notices/announcement_list.html", context)


def _announcement_for(request, announcement_id, *, withdrawn_ok: bool = False):
    """The announcement if the reader is in its audience. Not in it: 403 (404 when
    it does not exist or was withdrawn); not signed in: to the login page. A withdrawn
    one is 404 for every page but its own (`withdrawn_ok`)."""
    announcement = selectors.announcement_for(request.user, announcement_id)
    if announcement is None:
        if request.user.is_authenticated:
            # Exists but is not for this reader: refuse; does not exist: not found.
            if Announcement.objects.filter(pk=announcement_id, withdrawn_at__isnull=True).exists():
                raise PermissionDenied
            raise Http404
        from django.contrib.auth.views import redirect_to_login

        raise _LoginRedirect(redirect_to_login(request.get_full_path()))
    if announcement.is_withdrawn and not withdrawn_ok:
        raise Http404
    return announcement


class _LoginRedirect(Exception):
    def __init__(self, response):
        self.response = response


def _with_login_redirect(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _LoginRedirect as redirect_:
            return redirect_.response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_with_login_redirect
@require_GET
def announcement_detail(request, announcement_id):
    announcement = _announcement_for(request, announcement_id, withdrawn_ok=True)
    if announcement.is_withdrawn:
        # Its audience learns why; the text, its files and its reach are gone.
        if request.user.is_authenticated:
            services.mark_target_read(user=request.user, target=announcement)
        return render(request, "notices/announcement_detail.html", {"announcement": announcement})
    services.record_reading(user=request.user, announcement=announcement)
    attachments = list(announcement.attachments.filter(state="ready"))
    context = {
        "announcement": announcement,
        "attachments": attachments,
        # A share card's picture: a public announcement's first photo, never another's.
        "og_image": next((a for a in attachments if a.kind == Attachment.Kind.IMAGE), None)
        if announcement.audience == Audience.PUBLIC
        else None,
        "can_knock": request.user.has_perm("notices.knock_doors", announcement),
        "can_see_coverage": request.user.has_perm("notices.see_coverage", announcement),
        "can_edit": request.user.has_perm("notices.edit_announcement", announcement),
        "can_relay": request.user.has_perm("notices.relay_announcement", announcement),
        "show_estate": len(listed_estates(request.user)) != 1,
    }
    return render(request, "notices/announcement_detail.html", context)


# Content types of what `attach` stores: re-encoded photos and checked PDFs.
ATTACHMENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}


@_with_login_redirect
@require_GET
def attachment(request, announcement_id, attachment_id, variant="file"):
    """Stream a photo, its thumbnail or a PDF to those who may read the announcement
    (403, 404 and the login page as for the page itself). The files are outside
    MEDIA_ROOT, so this is the only way to them."""
    announcement = _announcement_for(request, announcement_id)
    if not request.user.has_perm("notices.read_announcement", announcement):
        raise Http404
    found = get_object_or_404(
        Attachment, pk=attachment_id, announcement=announcement, state=Attachment.State.READY
    )
    stored = found.thumbnail if variant == "thumbnail" else found.file
    if not stored:
        raise Http404
    content_type = ATTACHMENT_TYPES.get(PurePosixPath(stored.name).suffix.lower())
    if content_type is None:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    is_pdf = found.kind == Attachment.Kind.PDF
    response = FileResponse(
        handle,
        as_attachment=is_pdf,
        filename=_download_name(found.original_name, PurePosixPath(stored.name).suffix),
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=3600)
    return response


def _download_name(original: str, suffix: str) -> str:
    """The name the person uploaded, sanitised (older rows were stored as typed), with
    the extension of what is actually served (a photo is re-encoded, possibly into
    another format). FileResponse sends it RFC 6266-encoded (filename*=utf-8'')."""
    from notices.attachments import safe_filename

    stem = PurePosixPath(safe_filename(original)).stem or "file"
    return f"{stem}{suffix.lower()}"


@login_required
@require_http_methods(["GET", "POST"])
def announcement_edit(request, announcement_id):
    announcement = _announcement_for(request, announcement_id)
    if not request.user.has_perm("notices.edit_announcement", announcement):
        raise PermissionDenied
    form = AnnouncementEditForm(request.POST or None, instance=announcement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_announcement(
                announcement_id=announcement.pk,
                editor=request.user,
                title=data["title"],
                body=data["body"],
                expires_at=data["expires_at"],
                pinned=data["pinned"],
                tell_again=data["tell_again"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if data["tell_again"]:
                messages.success(request, _("Saved. Its audience is being told again."))
            else:
                messages.success(request, _("Saved. Nobody was notified of this edit."))
            return redirect(announcement)
    return _edit_page(request, announcement, form, WithdrawForm())


def _edit_page(request, announcement, form, withdraw_form, status=200):
    context = {"announcement": announcement, "form": form, "withdraw_form": withdraw_form}
    return render(request, "notices/announcement_edit.html", context, status=status)


@login_required
@require_POST
def announcement_withdraw(request, announcement_id):
    announcement = _announcement_for(request, announcement_id)
    if not request.user.has_perm("notices.withdraw_announcement", announcement):
        raise PermissionDenied
    withdraw_form = WithdrawForm(request.POST)
    if withdraw_form.is_valid():
        try:
            services.withdraw_announcement(
                announcement_id=announcement.pk,
                actor=request.user,
                reason=withdraw_form.cleaned_data["reason"],
            )
        except ValidationError as error:
            withdraw_form.add_error(None, error)
        else:
            messages.success(request, _("Withdrawn. It has left every list."))
            return redirect(announcement)
    form = AnnouncementEditForm(instance=announcement)
    return _edit_page(request, announcement, form, withdraw_form, status=400)


@_with_login_redirect
@require_GET
def announcement_print(request, announcement_id):
    """A4 for the lobby board, with a QR code that opens the announcement on a phone;
    `?large=1` prints it in large type, for those who read without a phone or glasses."""
    announcement = _announcement_for(request, announcement_id)
    url = services.site_url(announcement.get_absolute_url())
    qr_svg = segno.make(url, error="m").svg_inline(scale=5, border=2, title=announcement.title)
    context = {
        "announcement": announcement,
        # segno's SVG of our own URL; it escapes the title.
        "qr_svg": mark_safe(qr_svg),
        "url": url,
        "buildings": list(announcement.buildings.order_by("number")),
        "large": request.GET.get("large") == "1",
    }
    return render(request, "notices/announcement_print.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def announcement_create(request):
    """Publish in one estate at a time (`?estate=`, when the user publishes in several):
    its buildings are offered; estate-wide publishers may tick their other estates too."""
    if not request.user.has_perm("notices.publish"):
        raise PermissionDenied
    estates = selectors.publishing_estates(request.user)
    if not estates:
        raise PermissionDenied
    estate = _chosen_estate(request, estates)
    form = AnnouncementForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        estate=estate,
        estates=estates,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["urgent"]:
            # Urgent mail goes to everyone at once: show it and its reach first. What was
            # confirmed must still be what goes out (the form stays editable on the preview).
            preview = previews.urgent_preview(author=request.user, form=form)
            if request.POST.get("confirm") != preview["key"]:
                context = {"form": form, "estate": estate, "estates": estates, "preview": preview}
                return render(request, "notices/announcement_form.html", context)
        try:
            announcement, *others = services.publish_in_estates(
                author=request.user,
                communities=form.chosen_estates(),
                title=data["title"],
                body=data["body"],
                audience=data["audience"],
                buildings=list(data["buildings"]),
                floor_from=data["floor_from"],
                floor_to=data["floor_to"],
                publish_at=data["publish_at"],
                expires_at=data["expires_at"],
                pinned=data["pinned"],
                urgent=data["urgent"],
                images=data["images"],
                pdfs=data["pdfs"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if others and announcement.is_published:
                messages.success(
                    request,
                    _("Published in %(count)s estates, one announcement each.")
                    % {"count": 1 + len(others)},
                )
            elif others:
                messages.success(
                    request,
                    _("Scheduled in %(count)s estates, one announcement each.")
                    % {"count": 1 + len(others)},
                )
            elif announcement.is_published:
                messages.success(request, _("Published. Its audience is being told."))
            else:
                messages.success(
                    request, _("Scheduled: it will be published at the time you chose.")
                )
            return redirect(announcement)
    context = {"form": form, "estate": estate, "estates": estates}
    return render(request, "notices/announcement_form.html", context)


def _chosen_estate(request, estates):
    """The estate asked for (the form's on a POST, the address's on a GET) if the user
    publishes there, else the one they work in (or the first)."""
    asked = request.POST.get("estate") if request.method == "POST" else request.GET.get("estate")
    return next(
        (estate for estate in estates if str(estate.pk) == asked),
        selectors.publishing_estate_first(request.user, estates),
    )


# --- Reach: the captain's door-knock list, and coverage ---------------------------------


def _knock_buildings(request, announcement) -> list[Building]:
    """The buildings of the announcement's estate in its audience that the user captains."""
    building_ids = set(selectors.captained_building_ids(request.user, announcement.community_id))
    if announcement.audience == Audience.BUILDINGS:
        building_ids &= selectors.building_ids_of(announcement)
    return list(Building.objects.filter(pk__in=building_ids).order_by("number"))


@login_required
@require_GET
def door_knock_list(request, announcement_id):
    announcement = _announcement_for(request, announcement_id)
    if not request.user.has_perm("notices.knock_doors", announcement):
        raise PermissionDenied
    buildings = _knock_buildings(request, announcement)
    show_all = request.GET.get("show") == "all"
    households = selectors.door_knock_list(
        announcement=announcement,
        building_ids=[building.pk for building in buildings],
        only_unreached=not show_all,
    )
    page = _page(request, households, per_page=120)
    figures = selectors.coverage(announcement)
    mine = [row for row in figures["buildings"] if row["building_id"] in {b.pk for b in buildings}]
    context = {
        "announcement": announcement,
        "page": page,
        "show_all": show_all,
        "buildings": mine,
        "methods": HouseholdReach.Method,
    }
    return render(request, "notices/door_knock.html", context)


@login_required
@require_POST
def mark_household(request, announcement_id, household_id):
    announcement = _announcement_for(request, announcement_id)
    if not request.user.has_perm("notices.knock_doors", announcement):
        raise PermissionDenied
    household = get_object_or_404(Household.objects.select_related("building"), pk=household_id)
    captained = selectors.captained_building_ids(request.user, announcement.community_id)
    if household.building_id not in captained:
        raise PermissionDenied
    method = request.POST.get("method", "")
    try:
        with transaction.atomic():
            if method == "undo":
                services.unmark_reached(announcement=announcement, household=household)
            else:
                services.mark_reached(
                    actor=request.user,
                    announcement=announcement,
                    household=household,
                    method=method,
                )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    if request.htmx:
        household = selectors.door_knock_list(
            announcement=announcement, building_ids=[household.building_id], only_unreached=False
        ).get(pk=household.pk)
        context = {
            "announcement": announcement,
            "household": household,
            "methods": HouseholdReach.Method,
        }
        rows = selectors.coverage(announcement)["buildings"]
        row = next((row for row in rows if row["building_id"] == household.building_id), None)
        # The household's row, and its building's counter out of band: the count moves
        # with the tick, without a reload.
        html = render_to_string("notices/door_knock.html#household", context, request=request)
        if row is not None:
            html += render_to_string(
                "notices/door_knock.html#building_card", {"row": row, "oob": True}, request=request
            )
        return HttpResponse(html)
    return redirect(_back(request, reverse("notices:door_knock", args=[announcement.pk])))


@login_required
@require_GET
def announcement_coverage(request, announcement_id):
    announcement = _announcement_for(request, announcement_id)
    if not request.user.has_perm("notices.see_coverage", announcement):
        raise PermissionDenied
    figures = selectors.coverage(announcement)
    # Households reached through each building's WeChat group link (notices/relay.py).
    via_group = relay.visits_by_building(announcement)
    for row in figures["buildings"]:
        row["via_group"] = via_group.get(row["building_id"], 0)
    figures["via_group"] = sum(via_group.values())
    context = {
        "announcement": announcement,
        "figures": figures,
        "show_estate": len(listed_estates(request.user)) != 1,
    }
    return render(request, "notices/coverage.html", context)


@login_required
@require_GET
def estate_coverage(request):
    """Every announcement's reach at a glance, for admins."""
    if not request.user.has_perm("notices.see_estate_coverage"):
        raise PermissionDenied
    page = _page(request, selectors.coverage_list(request.user))
    counts = selectors.reach_counts(page.object_list)
    for announcement in page:
        announcement.reached, announcement.total = counts[announcement.pk]
        announcement.percent = selectors._percent(announcement.reached, announcement.total)
    show_estate = len(listed_estates_where(request.user, Role.COMMUNITY_ADMIN)) > 1
    return render(
        request, "notices/estate_coverage.html", {"page": page, "show_estate": show_estate}
    )
