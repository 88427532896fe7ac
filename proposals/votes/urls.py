"""Owners' votes (业主表决), mounted at /votes/ beside the golden ideas at /ideas/."""

from django.urls import path

from proposals.votes import views

app_name = "votes"

urlpatterns = [
    path("", views.vote_list, name="vote_list"),
    path("new/", views.vote_create, name="vote_create"),
    path("<int:vote_id>/", views.vote_detail, name="vote_detail"),
    path("<int:vote_id>/edit/", views.vote_edit, name="vote_edit"),
    path("<int:vote_id>/ballot/", views.vote_cast, name="vote_cast"),
    path("<int:vote_id>/open/", views.vote_open, name="vote_open"),
    path("<int:vote_id>/close/", views.vote_close, name="vote_close"),
    path("<int:vote_id>/result/", views.vote_result, name="vote_result"),
    path("<int:vote_id>/breakdown/", views.vote_breakdown, name="vote_breakdown"),
]
