"""Themes of the golden ideas (主题归纳) and the priority work (重点工作) made of them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from proposals.access import require_perm
from proposals.ideas import selectors as ideas_selectors
from proposals.models import Theme
from proposals.themes import selectors as themes_selectors
from proposals.themes import services, tasks
from proposals.themes.forms import (
    MoveIdeasForm,
    PriorityForm,
    ProgressEntryForm,
    ThemeMergeForm,
    ThemeRenameForm,
)

# --- Themes (主题归纳) ------------------------------------------------------------------


def _theme_for(request, theme_id: int, perm: str = "proposals.see_themes") -> Theme:
    require_perm(request, perm)
    theme = themes_selectors.theme_for(user=request.user, theme_id=theme_id)
    if theme is None:
        raise Http404
    require_perm(request, perm, theme)
    return theme


@login_required
@require_GET
def theme_list(request):
    require_perm(request, "proposals.see_themes")
    categories = list(ideas_selectors.active_categories())
    chosen = next((c for c in categories if c.slug == request.GET.get("category")), None)
    themes = themes_selectors.themes_of(user=request.user, category=chosen)
    return render(
        request,
        "proposals/themes/theme_list.html",
        {
            "themes": themes,
            "categories": categories,
            "chosen": chosen,
            "last_regrouping": themes_selectors.last_regrouping(user=request.user),
            "can_edit": request.user.has_perm("proposals.edit_themes"),
        },
    )


@login_required
@require_POST
def theme_regroup(request):
    require_perm(request, "proposals.edit_themes")
    # Every listed estate where the user edits themes: the page shows their themes.
    estates = list(themes_selectors.estates_editing_themes(request.user))
    if not estates:
        raise Http404
    started = [tasks.enqueue_regrouping(estate.pk, request.user.pk) for estate in estates]
    if all(started):
        messages.success(
            request, _("Regrouping the ideas: the themes below are updated within a minute.")
        )
    else:
        messages.error(request, _("The regrouping could not start; it runs again tonight."))
    return redirect("proposals:theme_list")


def _theme_page(request, theme: Theme, *, status: int = 200, **forms):
    page = themes_selectors.ideas_of_theme(theme=theme, cursor=request.GET.get("after"))
    can_edit = request.user.has_perm("proposals.edit_themes", theme)
    idea_ids = [membership.idea_id for membership in page.items]
    context = {
        "theme": theme,
        "page": page,
        "memberships": page.items,
        "can_edit": can_edit,
        "can_promote": request.user.has_perm("proposals.manage_priorities", theme)
        and not hasattr(theme, "priority"),
        "history": themes_selectors.theme_history(theme=theme) if can_edit else [],
    }
    if can_edit:
        context |= {
            "rename_form": forms.get("rename_form")
            or ThemeRenameForm(initial={"name": theme.name}),
            "merge_form": forms.get("merge_form") or ThemeMergeForm(theme=theme),
            "move_form": forms.get("move_form") or MoveIdeasForm(theme=theme, idea_ids=idea_ids),
        }
        ticked = context["move_form"]["ideas"].value() or []
        context["ticked"] = {int(pk) for pk in ticked if str(pk).isdigit()}
    return render(request, "proposals/themes/theme_detail.html", context, status=status)


@login_required
@require_GET
def theme_detail(request, theme_id: int):
    return _theme_page(request, _theme_for(request, theme_id))


@login_required
@require_POST
def theme_rename(request, theme_id: int):
    theme = _theme_for(request, theme_id, "proposals.edit_themes")
    form = ThemeRenameForm(request.POST)
    if not form.is_valid():
        return _theme_page(request, theme, status=400, rename_form=form)
    services.rename_theme(theme=theme, name=form.cleaned_data["name"], actor=request.user)
    messages.success(request, _("Theme renamed; the name is kept when the ideas are regrouped."))
    return redirect(theme)


@login_required
@require_POST
def theme_merge(request, theme_id: int):
    theme = _theme_for(request, theme_id, "proposals.edit_themes")
    form = ThemeMergeForm(request.POST, theme=theme)
    if form.is_valid():
        try:
            target = services.merge_themes(
                source=theme, target=form.cleaned_data["target"], actor=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Themes merged."))
            return redirect(target)
    return _theme_page(request, theme, status=400, merge_form=form)


@login_required
@require_POST
def theme_move(request, theme_id: int):
    theme = _theme_for(request, theme_id, "proposals.edit_themes")
    member_ids = themes_selectors.idea_ids_of_theme(theme=theme)
    form = MoveIdeasForm(request.POST, theme=theme, idea_ids=member_ids)
    if form.is_valid():
        try:
            target = services.move_ideas(
                theme=theme,
                idea_ids=form.cleaned_data["ideas"],
                target=form.cleaned_data["target"],
                new_name=form.cleaned_data["new_name"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Ideas moved to “%(name)s”; they stay there when the ideas are regrouped.")
                % {"name": target.name},
            )
            return redirect(theme)
    return _theme_page(request, theme, status=400, move_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def theme_promote(request, theme_id: int):
    theme = _theme_for(request, theme_id)
    require_perm(request, "proposals.manage_priorities", theme)
    if hasattr(theme, "priority"):
        return redirect(theme.priority)
    form = PriorityForm(
        request.POST or None,
        community_id=theme.community_id,
        initial={"title": theme.name, "owner": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            priority = services.promote_theme(
                theme=theme,
                actor=request.user,
                title=data["title"],
                owner=data["owner"],
                goals=data["goals"],
                status=data["status"],
                activities=data["activities"],
                deliberations=data["deliberations"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The theme is now priority work."))
            return redirect(priority)
    return render(
        request, "proposals/priorities/priority_form.html", {"form": form, "theme": theme}
    )


# --- Priority work (重点工作) -------------------------------------------------------------


def _priority_for(request, priority_id: int, perm: str = "proposals.browse_priorities"):
    require_perm(request, "proposals.browse_priorities")
    priority = themes_selectors.priority_for(user=request.user, priority_id=priority_id)
    if priority is None:
        raise Http404
    require_perm(request, perm, priority)
    return priority


@login_required
@require_GET
def priority_list(request):
    require_perm(request, "proposals.browse_priorities")
    return render(
        request,
        "proposals/priorities/priority_list.html",
        {
            "priorities": themes_selectors.priorities_of(user=request.user),
            "can_see_themes": request.user.has_perm("proposals.see_themes"),
        },
    )


def _priority_page(request, priority, *, progress_form=None, status: int = 200):
    can_manage = request.user.has_perm("proposals.manage_priorities", priority)
    context = {
        "priority": priority,
        "can_manage": can_manage,
        "can_see_themes": request.user.has_perm("proposals.see_themes"),
        "progress_form": progress_form or (ProgressEntryForm() if can_manage else None),
    }
    return render(request, "proposals/priorities/priority_detail.html", context, status=status)


@login_required
@require_GET
def priority_detail(request, priority_id: int):
    return _priority_page(request, _priority_for(request, priority_id))


@login_required
@require_http_methods(["GET", "POST"])
def priority_edit(request, priority_id: int):
    priority = _priority_for(request, priority_id, "proposals.manage_priorities")
    form = PriorityForm(request.POST or None, instance=priority, community_id=priority.community_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        links = {"activities": data.pop("activities"), "deliberations": data.pop("deliberations")}
        try:
            services.update_priority(priority=priority, fields=data, **links)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Priority work updated."))
            return redirect(priority)
    return render(
        request,
        "proposals/priorities/priority_form.html",
        {"form": form, "theme": priority.theme, "priority": priority},
    )


@login_required
@require_POST
def progress_add(request, priority_id: int):
    priority = _priority_for(request, priority_id, "proposals.manage_priorities")
    form = ProgressEntryForm(request.POST)
    if not form.is_valid():
        return _priority_page(request, priority, progress_form=form, status=400)
    services.add_progress(priority=priority, author=request.user, **form.cleaned_data)
    messages.success(request, _("Progress recorded."))
    return redirect(priority)
