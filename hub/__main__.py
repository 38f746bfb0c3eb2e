"""`python -m hub` is `helferhub`."""
from hub.launch import main

raise SystemExit(main())
