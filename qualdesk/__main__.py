from qualdesk.cli import main

raise SystemExit(main())
