from pubpipe.cli import main

raise SystemExit(main())
