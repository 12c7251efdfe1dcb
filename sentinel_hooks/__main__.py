import os
import sys

# `python -m` puts the working directory first on the import path; a scanned folder must not be able
# to shadow a dependency (a planted yaml.py, say), so it goes. The package itself is already loaded.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from sentinel_hooks.cli import main  # noqa: E402

raise SystemExit(main())
