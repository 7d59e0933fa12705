from urllib import request
from urllib import error as urllib_error
from io import StringIO
from io import StringIO as cStringIO
from six import ensure_text


def fetch(url):
    try:
        return ensure_text(request.urlopen(url).read())
    except urllib_error.URLError:
        return StringIO().getvalue() + cStringIO().getvalue()
