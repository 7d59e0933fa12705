"""Session store tests (deprecated-apis golden input): datetime, unittest, logging."""
import datetime as dt
import logging
import unittest
import warnings
from datetime import timezone, datetime, timedelta

from sessions import Session, SessionStore

log = logging.getLogger(__name__)

SCHEMA = {"created": {"default": datetime.utcnow}}  # a reference: reported, not rewritten


def make_session(user, ttl=3600, clock=None):
    now = clock() if clock else datetime.now(timezone.utc)
    if ttl <= 0:
        logging.warning("session for %s expires immediately", user)
    return Session(user=user, created=now, expires=now + timedelta(seconds=ttl))


def from_epoch(seconds):
    return datetime.fromtimestamp(float(seconds), tz=timezone.utc)


class SessionStoreTest(unittest.TestCase):
    logger = logging.getLogger("tests.sessions")

    def setUp(self):
        self.store = SessionStore()
        self.started = dt.datetime.now(dt.timezone.utc)

    def test_expiry(self):
        session = make_session("ann", ttl=60)
        self.assertEqual(session.user, "ann")
        self.assertNotEqual(session.expires, session.created)
        self.assertTrue(session.expires > dt.datetime.now(dt.timezone.utc))
        self.assertFalse(session.expired)
        self.assertAlmostEqual((session.expires - session.created).total_seconds(), 60, places=3)

    def test_epoch(self):
        when = dt.datetime.fromtimestamp(0, tz=dt.timezone.utc)
        self.assertEqual(from_epoch("0"), when)
        self.assertRegex(when.isoformat(), r"^1970-01-01T00:00:00")
        self.assertCountEqual(self.store.users(), [])

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, "unknown session"):
            self.store.get("nope")
        self.assertRaises(KeyError, self.store.delete, "nope")
        self.logger.warning("errors checked")
        log.warning("at %s", datetime.now(timezone.utc).isoformat())

    def test_legacy(self):
        check = self.assertEquals  # not called: reported
        check(1, 1)
        self.assertLessEqual({"user": "ann"}.items(), make_session("ann").as_dict().items())
        warnings.warn("legacy test", DeprecationWarning)
        self.store.catalog.warn("not a logger: left alone")
