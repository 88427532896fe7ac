"""Signals of the community core, sent after commit, for apps that react to it (notices
tells the people concerned). The core imports no feature app."""

from django.dispatch import Signal

# Sent with membership=<Membership> once a join request is saved.
membership_requested = Signal()
# Sent with membership=<Membership>, actor=<User> once it is verified or rejected.
membership_decided = Signal()
