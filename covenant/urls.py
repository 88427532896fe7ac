from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from covenant import elders, views

# The admin signs in through allauth: one login page, with its rate limits and email
# verification, instead of Django admin's unthrottled form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", views.set_language, name="set_language"),
    path("estate/", views.choose_estate, name="choose_estate"),
    path("elders/", elders.toggle, name="elders_mode"),
    path("profile/", views.profile, name="profile"),
    path("profile/data/", views.personal_data_download, name="personal_data_download"),
    path("profile/delete/", views.delete_account, name="delete_account"),
    path("households/join/", views.join_household, name="join_household"),
    path("memberships/", views.my_memberships, name="my_memberships"),
    path("memberships/queue/", views.membership_queue, name="membership_queue"),
    path("memberships/<int:membership_id>/", views.membership_detail, name="membership_detail"),
    path(
        "memberships/<int:membership_id>/verify/",
        views.membership_verify,
        name="membership_verify",
    ),
    path(
        "memberships/<int:membership_id>/reject/",
        views.membership_reject,
        name="membership_reject",
    ),
    path(
        "memberships/<int:membership_id>/withdraw/",
        views.membership_withdraw,
        name="membership_withdraw",
    ),
    path("", include("proposals.urls")),  # ideas/ and deliberations/
    path("votes/", include("proposals.votes.urls")),
    path("priorities/", include("proposals.themes.priority_urls")),
    path("notices/", include("notices.urls")),
    path("r/", include("notices.relay_urls")),  # the building groups' short links
    path("volunteers/", include("volunteers.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
