"""An activity's Open Graph card: its title and when, nothing about who comes."""

from django.urls import reverse


def test_an_activitys_card_has_its_title_and_time_but_no_names(client, activity, resident):
    client.force_login(resident)
    head = client.get(reverse("volunteers:activity_detail", args=[activity.pk])).text
    head = head.split("</head>")[0]
    assert '<meta property="og:title" content="楼道杂物清理">' in head
    assert 'property="og:description"' in head
    assert activity.organiser.name not in head
