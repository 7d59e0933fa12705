def checkPath(path):
    return path
