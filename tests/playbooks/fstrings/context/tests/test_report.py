import example as report


def test_row():
    assert report.row("A1", "widget", 3, 2.5) == "A1      |widget      |    3|    2.50"


def test_header():
    assert report.header("x", 11) == "== stock ==\nX"


def test_summary():
    assert report.summary({"a": 2, "b": 3}) == "2 items, 5 units (0.5% of 1000)"


def test_describe():
    assert report.describe(7) == "item 7: 7 (6 chars)"
    assert report.describe([1]) == "item [1]: [1] (8 chars)"


def test_shout():
    assert report.shout(["a", "b"]) == "a b!"
