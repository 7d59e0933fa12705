"""A Django-style module: `timezone` is already django.utils.timezone here."""
from datetime import datetime

from django.utils import timezone


def stamp(event):
    event.created = datetime.utcnow()
    event.local = timezone.localtime()
    return event
