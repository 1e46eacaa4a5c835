"""JupyterLab for this project (``antt lab``): text notebooks open as notebooks, outputs stay out.

The notebooks are jupytext percent scripts (``notebooks/*.py``): jupytext's contents manager reads
and writes them as notebooks, saving inputs only, so outputs never reach git.
"""

from pathlib import Path

c = get_config()  # noqa: F821 - defined by the config loader that runs this file

c.ServerApp.contents_manager_class = "jupytext.TextFileContentsManager"
# overrides.json there makes a double click open a .py notebook as a notebook, not in the editor.
c.LabApp.app_settings_dir = str(Path(__file__).resolve().with_name("lab") / "settings")
