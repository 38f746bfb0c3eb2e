"""`python -m hub` is `helferhub`."""
from hub.cli import main

raise SystemExit(main())
