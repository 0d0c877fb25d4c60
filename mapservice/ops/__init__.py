"""Running the service: backups, demo data, the server processes."""
