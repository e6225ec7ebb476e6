from tui_mutabakat.cli import main

raise SystemExit(main())
