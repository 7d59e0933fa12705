from six.moves.urllib import request
from six.moves.urllib import error as urllib_error
from six.moves import cStringIO as StringIO
from six.moves import cStringIO
from six import ensure_text


def fetch(url):
    try:
        return ensure_text(request.urlopen(url).read())
    except urllib_error.URLError:
        return StringIO().getvalue() + cStringIO().getvalue()
