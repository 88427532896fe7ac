"""The volunteers section of a person's data download."""

from typing import Any

from volunteers.models import CaptainMessage, ServiceEntry, SignUp, Volunteer


def volunteering(user) -> dict[str, Any]:
    volunteer = Volunteer.objects.filter(user=user).first()
    return {
        "application": volunteer
        and {
            "status": volunteer.status,
            "roster_name": volunteer.roster_name,
            "skills": volunteer.skills,
            "availability": volunteer.availability,
            "applied_at": volunteer.applied_at.isoformat(),
        },
        "sign_ups": [
            {
                "activity": signup.activity.title,
                "starts_at": signup.activity.starts_at.isoformat(),
                "status": signup.status,
            }
            for signup in SignUp.objects.filter(user=user).select_related("activity")
        ],
        "service_hours": [
            {"date": entry.served_on.isoformat(), "hours": str(entry.hours), "note": entry.note}
            for entry in ServiceEntry.objects.filter(user=user)
        ],
        "messages_to_captains": [
            {
                "sent_at": message.created_at.isoformat(),
                "body": message.body,
                "reply": message.reply,
            }
            for message in CaptainMessage.objects.filter(sender=user)
        ],
    }
