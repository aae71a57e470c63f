"""The model layer: regions, names, twins and the queries over a dataset."""
