from django.urls import reverse


def test_publish_and_read(client, to_building_3, resident, neighbour, outbox):
    client.force_login(resident)
    r = client.get(reverse("notices:announcement_detail", args=[to_building_3.pk]))
    assert r.status_code == 200
    r = client.get(reverse("notices:inbox"))
    assert r.status_code == 200, r.content
    client.force_login(neighbour)
    r = client.get(reverse("notices:announcement_detail", args=[to_building_3.pk]))
    assert r.status_code == 403
