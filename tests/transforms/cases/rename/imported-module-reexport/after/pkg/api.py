def check_path(path):
    return path
