from django.urls import path

from proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.idea_list, name="idea_list"),
    path("new/", views.idea_create, name="idea_create"),
    path("record/", views.idea_record, name="idea_record"),
    path("similar/", views.similar_ideas, name="similar_ideas"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("triage/", views.triage_board, name="triage_board"),
    path("export.csv", views.idea_export, {"file_format": "csv"}, name="idea_export_csv"),
    path("export.xlsx", views.idea_export, {"file_format": "xlsx"}, name="idea_export_xlsx"),
    path("themes/", views.theme_list, name="theme_list"),
    path("themes/regroup/", views.theme_regroup, name="theme_regroup"),
    path("themes/<int:theme_id>/", views.theme_detail, name="theme_detail"),
    path("themes/<int:theme_id>/rename/", views.theme_rename, name="theme_rename"),
    path("themes/<int:theme_id>/merge/", views.theme_merge, name="theme_merge"),
    path("themes/<int:theme_id>/move/", views.theme_move, name="theme_move"),
    path("themes/<int:theme_id>/promote/", views.theme_promote, name="theme_promote"),
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
