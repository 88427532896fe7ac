"""The short links of 转发到楼栋群, mounted at /r/ so they stay short in a chat."""

from django.urls import path

from notices import relay_views

app_name = "relay"

urlpatterns = [
    path("<str:token>/", relay_views.relay_open, name="open"),
]
