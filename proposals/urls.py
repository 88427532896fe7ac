from django.urls import include, path

from proposals import views

app_name = "proposals"

idea_patterns = [
    path("", views.idea_list, name="idea_list"),
    path("new/", views.idea_create, name="idea_create"),
    path("record/", views.idea_record, name="idea_record"),
    path("similar/", views.similar_ideas, name="similar_ideas"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("triage/", views.triage_board, name="triage_board"),
    path("export.csv", views.idea_export, {"file_format": "csv"}, name="idea_export_csv"),
    path("export.xlsx", views.idea_export, {"file_format": "xlsx"}, name="idea_export_xlsx"),
    path("<int:idea_id>/", views.idea_detail, name="idea_detail"),
    path("<int:idea_id>/support/", views.idea_support, name="idea_support"),
    path("<int:idea_id>/withdraw/", views.idea_withdraw, name="idea_withdraw"),
    path("<int:idea_id>/comments/", views.comment_create, name="comment_create"),
    path("<int:idea_id>/report/", views.idea_report, name="idea_report"),
    path("<int:idea_id>/moderate/", views.idea_moderate, name="idea_moderate"),
    path("<int:idea_id>/triage/", views.idea_triage, name="idea_triage"),
    path("<int:idea_id>/notes/", views.idea_note, name="idea_note"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/report/", views.comment_report, name="comment_report"),
    path("comments/<int:comment_id>/moderate/", views.comment_moderate, name="comment_moderate"),
]

deliberation_patterns = [
    path("", views.deliberation_list, name="deliberation_list"),
    path("new/", views.deliberation_create, name="deliberation_create"),
    path("record/", views.public_record, name="public_record"),
    path("<int:deliberation_id>/", views.deliberation_detail, name="deliberation_detail"),
    path("<int:deliberation_id>/edit/", views.deliberation_edit, name="deliberation_edit"),
    path("<int:deliberation_id>/ideas/", views.deliberation_ideas, name="deliberation_ideas"),
    path(
        "<int:deliberation_id>/ideas/<int:idea_id>/unlink/",
        views.deliberation_unlink,
        name="deliberation_unlink",
    ),
    path(
        "<int:deliberation_id>/representatives/",
        views.representative_add,
        name="representative_add",
    ),
    path(
        "<int:deliberation_id>/representatives/<int:seat_id>/remove/",
        views.representative_remove,
        name="representative_remove",
    ),
    path("<int:deliberation_id>/posts/", views.deliberation_post, name="deliberation_post"),
    path("<int:deliberation_id>/start/", views.deliberation_start, name="deliberation_start"),
    path("<int:deliberation_id>/close/", views.deliberation_close, name="deliberation_close"),
    path("<int:deliberation_id>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:meeting_id>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("<int:deliberation_id>/resolution/", views.resolution_edit, name="resolution_edit"),
    path("<int:deliberation_id>/resolution/sign/", views.resolution_sign, name="resolution_sign"),
    path("<int:deliberation_id>/actions/new/", views.action_item_create, name="action_item_create"),
    path("actions/<int:item_id>/", views.action_item_update, name="action_item_update"),
]

# Golden ideas and the deliberations they lead to, under their own prefixes.
urlpatterns = [
    path("ideas/", include(idea_patterns)),
    path("deliberations/", include(deliberation_patterns)),
]
