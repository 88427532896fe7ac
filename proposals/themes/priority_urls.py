"""Priority work (重点工作) at /priorities/: for every resident, so outside /ideas/."""

from django.urls import path

from proposals.themes import views

app_name = "priorities"

urlpatterns = [
    path("", views.priority_list, name="priority_list"),
    path("<int:priority_id>/", views.priority_detail, name="priority_detail"),
    path("<int:priority_id>/edit/", views.priority_edit, name="priority_edit"),
    path("<int:priority_id>/progress/", views.progress_add, name="progress_add"),
]
