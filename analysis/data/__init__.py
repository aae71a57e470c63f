"""The data layer: files, the schema, the dataset, its checks and the chapter text."""
