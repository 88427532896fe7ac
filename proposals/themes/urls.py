"""Themes of the ideas, under /ideas/themes/ (names ``proposals:...``)."""

from django.urls import path

from proposals.themes import views as themes

urlpatterns = [
    path("themes/", themes.theme_list, name="theme_list"),
    path("themes/regroup/", themes.theme_regroup, name="theme_regroup"),
    path("themes/<int:theme_id>/", themes.theme_detail, name="theme_detail"),
    path("themes/<int:theme_id>/rename/", themes.theme_rename, name="theme_rename"),
    path("themes/<int:theme_id>/merge/", themes.theme_merge, name="theme_merge"),
    path("themes/<int:theme_id>/move/", themes.theme_move, name="theme_move"),
    path("themes/<int:theme_id>/promote/", themes.theme_promote, name="theme_promote"),
]
