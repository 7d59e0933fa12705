import six


def expected(astroid_test):
    index = (0 if six.PY2 else 1) + (3 if astroid_test else 0)
    const = ('Const:True' if astroid_test else
             'Name:True' if six.PY2 else
             'Constant:True')
    if not six.PY2 or astroid_test:
        index += 1
    if six.PY2:
        names = {"Print:print(a)"}
    else:
        names = {"Name:print", "Call:print(a)"}
    return index, const, names, six.PY3
