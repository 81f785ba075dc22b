"""Database: engine, migrations and repositories (handlers never write SQL)."""
