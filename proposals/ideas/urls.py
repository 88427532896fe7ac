"""Golden ideas under /ideas/: the list, an idea, its photos, supports, comments, and the
staff's moderation queue and triage board (names ``proposals:...``).
"""

from django.urls import path

from proposals.ideas import views as ideas
from proposals.moderation import views as moderation
from proposals.triage import views as triage

urlpatterns = [
    path("", ideas.idea_list, name="idea_list"),
    path("new/", ideas.idea_create, name="idea_create"),
    path("record/", ideas.idea_record, name="idea_record"),
    path("similar/", ideas.similar_ideas, name="similar_ideas"),
    path("campaigns/", ideas.campaign_list, name="campaign_list"),
    path("moderation/", moderation.moderation_queue, name="moderation_queue"),
    path("triage/", triage.triage_board, name="triage_board"),
    path("export.csv", triage.idea_export, {"file_format": "csv"}, name="idea_export_csv"),
    path("export.xlsx", triage.idea_export, {"file_format": "xlsx"}, name="idea_export_xlsx"),
    path("<int:idea_id>/", ideas.idea_detail, name="idea_detail"),
    path("<int:idea_id>/photos/<int:photo_id>/", ideas.idea_photo, name="idea_photo"),
    path(
        "<int:idea_id>/photos/<int:photo_id>/thumbnail/",
        ideas.idea_photo,
        {"variant": "thumbnail"},
        name="idea_photo_thumbnail",
    ),
    path("<int:idea_id>/support/", ideas.idea_support, name="idea_support"),
    path("<int:idea_id>/withdraw/", ideas.idea_withdraw, name="idea_withdraw"),
    path("<int:idea_id>/restore/", ideas.idea_restore, name="idea_restore"),
    path("<int:idea_id>/comments/", ideas.comment_create, name="comment_create"),
    path("<int:idea_id>/report/", ideas.idea_report, name="idea_report"),
    path("<int:idea_id>/moderate/", moderation.idea_moderate, name="idea_moderate"),
    path("<int:idea_id>/triage/", triage.idea_triage, name="idea_triage"),
    path("<int:idea_id>/notes/", triage.idea_note, name="idea_note"),
    path("comments/<int:comment_id>/reply/", ideas.comment_reply, name="comment_reply"),
    path("comments/<int:comment_id>/edit/", ideas.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/report/", ideas.comment_report, name="comment_report"),
    path(
        "comments/<int:comment_id>/moderate/", moderation.comment_moderate, name="comment_moderate"
    ),
]
