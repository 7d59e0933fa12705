from setuptools import setup

setup(
    name="texthelpers",
    install_requires=[
        "requests>=2",
        "six>=1.10",
    ],
)
