import sys

from kafo_data.cli import main

sys.exit(main())
