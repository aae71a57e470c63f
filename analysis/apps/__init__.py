"""The apps: the explorer, the dashboard's server and the launchers (dashboard, lab)."""
