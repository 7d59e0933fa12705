"""Where text helpers live from now on."""
