"""The bottom layer of the platform: what streams, warehouse and pipelines may all import.

Only the settings live here, so that no lower layer has to import the command-line package.
"""

from antt.settings import DEMO_PSEUDONYM_KEY, Settings

__all__ = ["DEMO_PSEUDONYM_KEY", "Settings"]
