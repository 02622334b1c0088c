"""What every step runs on: limits, atomic output, tool discovery, paths."""
