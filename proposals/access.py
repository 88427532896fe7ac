from django.core.exceptions import PermissionDenied


def require_perm(request, perm: str, obj=None) -> None:
    """Refuse the request (403) unless the user has `perm`, on `obj` where given."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied
