"""Dashboards, the monthly report and open data, under /ideas/ (names ``proposals:...``)."""

from django.urls import path

from proposals.insight import views as dashboards

urlpatterns = [
    path("dashboards/", dashboards.dashboard_ideas, name="dashboard_ideas"),
    path("dashboards/responses/", dashboards.dashboard_responses, name="dashboard_responses"),
    path(
        "dashboards/participation/",
        dashboards.dashboard_participation,
        name="dashboard_participation",
    ),
    path("dashboards/community/", dashboards.dashboard_community, name="dashboard_community"),
    path("dashboards/estates/", dashboards.district_overview_page, name="district_overview"),
    path("report/", dashboards.monthly_report_latest, name="monthly_report_latest"),
    path("report/<int:year>-<int:month>/", dashboards.monthly_report, name="monthly_report"),
    path("open-data/", dashboards.open_data_page, name="open_data"),
    path("open-data/links/", dashboards.open_data_link_create, name="open_data_link_create"),
    path(
        "open-data/links/<int:link_id>/revoke/",
        dashboards.open_data_link_revoke,
        name="open_data_link_revoke",
    ),
    path(
        "open-data/ideas.csv",
        dashboards.open_data_download,
        {"file_format": "csv"},
        name="open_data_csv",
    ),
    path(
        "open-data/ideas.json",
        dashboards.open_data_download,
        {"file_format": "json"},
        name="open_data_json",
    ),
    path(
        "open-data/shared/<str:token>/ideas.csv",
        dashboards.open_data_shared,
        {"file_format": "csv"},
        name="open_data_shared_csv",
    ),
    path(
        "open-data/shared/<str:token>/ideas.json",
        dashboards.open_data_shared,
        {"file_format": "json"},
        name="open_data_shared_json",
    ),
]
