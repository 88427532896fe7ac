"""Three-party deliberations under /deliberations/ (names ``proposals:...``)."""

from django.urls import path

from proposals.deliberations import views as deliberations

urlpatterns = [
    path("", deliberations.deliberation_list, name="deliberation_list"),
    path("new/", deliberations.deliberation_create, name="deliberation_create"),
    path("record/", deliberations.public_record, name="public_record"),
    path("<int:deliberation_id>/", deliberations.deliberation_detail, name="deliberation_detail"),
    path("<int:deliberation_id>/edit/", deliberations.deliberation_edit, name="deliberation_edit"),
    path(
        "<int:deliberation_id>/ideas/", deliberations.deliberation_ideas, name="deliberation_ideas"
    ),
    path(
        "<int:deliberation_id>/ideas/<int:idea_id>/unlink/",
        deliberations.deliberation_unlink,
        name="deliberation_unlink",
    ),
    path(
        "<int:deliberation_id>/representatives/",
        deliberations.representative_add,
        name="representative_add",
    ),
    path(
        "<int:deliberation_id>/representatives/<int:seat_id>/remove/",
        deliberations.representative_remove,
        name="representative_remove",
    ),
    path("<int:deliberation_id>/posts/", deliberations.deliberation_post, name="deliberation_post"),
    path(
        "<int:deliberation_id>/start/", deliberations.deliberation_start, name="deliberation_start"
    ),
    path(
        "<int:deliberation_id>/close/", deliberations.deliberation_close, name="deliberation_close"
    ),
    path(
        "<int:deliberation_id>/meetings/new/", deliberations.meeting_create, name="meeting_create"
    ),
    path(
        "meetings/<int:meeting_id>/minutes/", deliberations.meeting_minutes, name="meeting_minutes"
    ),
    path(
        "<int:deliberation_id>/resolution/", deliberations.resolution_edit, name="resolution_edit"
    ),
    path(
        "<int:deliberation_id>/resolution/sign/",
        deliberations.resolution_sign,
        name="resolution_sign",
    ),
    path(
        "<int:deliberation_id>/actions/new/",
        deliberations.action_item_create,
        name="action_item_create",
    ),
    path("actions/<int:item_id>/", deliberations.action_item_update, name="action_item_update"),
]
