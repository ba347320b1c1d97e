from .fakes import fakebin  # noqa: F401 - a fixture for every test in this folder
