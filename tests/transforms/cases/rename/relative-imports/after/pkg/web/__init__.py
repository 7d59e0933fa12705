"""pkg.web"""
