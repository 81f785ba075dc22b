"""SQL the workbench's pages need beyond the storage modules: aggregates and paged queries, per domain."""
