from unittest import mock

PATCH = mock.patch("pkg.compat.ensure_text")
