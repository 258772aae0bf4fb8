"""Database: schema models, engines, the embedded server, migrations."""
