"""pkg.core"""
