from sentinel_hooks.cli import main

raise SystemExit(main())
