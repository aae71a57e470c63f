"""Placeholder: being written."""


def add_arguments_export(parser):
    pass


def run_export(args):
    print("briefings export: not implemented yet")
    return 1
