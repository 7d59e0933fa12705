def expected(astroid_test):
    index = (1) + (3 if astroid_test else 0)
    const = ('Const:True' if astroid_test else
             'Constant:True')
    if True or astroid_test:
        index += 1
    names = {"Name:print", "Call:print(a)"}
    return index, const, names, True
