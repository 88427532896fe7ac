"""Attachments stored before 0002 live under MEDIA_ROOT, where the proxy serves them
to anyone with the link. Move them to the private storage (same names), from which
only the access-checked view serves them. A file missing from MEDIA_ROOT (already
moved, or never there) is left alone; moving back is not needed to reverse."""

from django.core.files.storage import storages
from django.db import migrations


def move_to_private(apps, schema_editor):
    from notices.storage import private_storage

    public = storages["default"]
    private = private_storage()
    Attachment = apps.get_model("notices", "Attachment")
    for attachment in Attachment.objects.exclude(file="").iterator():
        changed = []
        for field in ("file", "thumbnail"):
            name = getattr(attachment, field).name
            if not name or private.exists(name) or not public.exists(name):
                continue
            with public.open(name, "rb") as source:
                saved = private.save(name, source)
            public.delete(name)
            if saved != name:
                setattr(attachment, field, saved)
                changed.append(field)
        if changed:
            attachment.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [("notices", "0002_edit_withdraw_private_files")]

    operations = [migrations.RunPython(move_to_private, migrations.RunPython.noop)]
