"""A Django-style module: `timezone` is already django.utils.timezone here."""
from datetime import timezone, datetime

from django.utils import timezone


def stamp(event):
    event.created = datetime.now(timezone.utc)
    event.local = timezone.localtime()
    return event
