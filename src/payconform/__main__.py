"""``python -m payconform``: the same as the ``payconform`` command."""

from payconform.cli.main import main

raise SystemExit(main())
