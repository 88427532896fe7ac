"""What the volunteers' views share: paging, the permission check, and
finding an activity the reader may see."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404

from volunteers import selectors

PAGE_SIZE = 20


# A printed statement should fit a volunteer's whole record on its first page.
STATEMENT_PAGE_SIZE = 100


def paginate(request, queryset, name="page", size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get(name))


def require_perm(request, permission, obj=None):
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def get_activity(request, activity_id, permission="volunteers.see_activities"):
    activity = selectors.activity_with_counts(activity_id=activity_id)
    if activity is None:
        raise Http404
    require_perm(request, permission, activity)
    return activity
