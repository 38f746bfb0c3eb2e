"""`python -m hub` is `helferhub`."""
from hub.launch import main

if __name__ == "__main__":  # (a worker process started by spawn imports this module again)
    raise SystemExit(main())
