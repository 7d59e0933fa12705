from other.local import ensure_text  # a different function with the same name


class Holder:
    def ensure_text(self, value):
        return value


def use(obj, value):
    data = {"ensure_text": ensure_text(value)}
    return obj.ensure_text(value), Holder().ensure_text(value), data
