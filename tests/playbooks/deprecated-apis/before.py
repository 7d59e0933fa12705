"""Session store tests (deprecated-apis golden input): datetime, unittest, logging."""
import datetime as dt
import logging
import unittest
import warnings
from datetime import datetime, timedelta

from sessions import Session, SessionStore

log = logging.getLogger(__name__)

SCHEMA = {"created": {"default": datetime.utcnow}}  # a reference: reported, not rewritten


def make_session(user, ttl=3600, clock=None):
    now = clock() if clock else datetime.utcnow()
    if ttl <= 0:
        logging.warn("session for %s expires immediately", user)
    return Session(user=user, created=now, expires=now + timedelta(seconds=ttl))


def from_epoch(seconds):
    return datetime.utcfromtimestamp(float(seconds))


class SessionStoreTest(unittest.TestCase):
    logger = logging.getLogger("tests.sessions")

    def setUp(self):
        self.store = SessionStore()
        self.started = dt.datetime.utcnow()

    def test_expiry(self):
        session = make_session("ann", ttl=60)
        self.assertEquals(session.user, "ann")
        self.assertNotEquals(session.expires, session.created)
        self.assert_(session.expires > dt.datetime.utcnow())
        self.failIf(session.expired)
        self.assertAlmostEquals((session.expires - session.created).total_seconds(), 60, places=3)

    def test_epoch(self):
        when = dt.datetime.utcfromtimestamp(0)
        self.assertEqual(from_epoch("0"), when)
        self.assertRegexpMatches(when.isoformat(), r"^1970-01-01T00:00:00")
        self.assertItemsEqual(self.store.users(), [])

    def test_errors(self):
        with self.assertRaisesRegexp(ValueError, "unknown session"):
            self.store.get("nope")
        self.failUnlessRaises(KeyError, self.store.delete, "nope")
        self.logger.warn("errors checked")
        log.warn("at %s", datetime.utcnow().isoformat())

    def test_legacy(self):
        check = self.assertEquals  # not called: reported
        check(1, 1)
        self.assertDictContainsSubset({"user": "ann"}, make_session("ann").as_dict())
        warnings.warn("legacy test", DeprecationWarning)
        self.store.catalog.warn("not a logger: left alone")
