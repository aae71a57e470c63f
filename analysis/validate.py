"""Placeholder: being written."""


def add_arguments_validate(parser):
    pass


def run_validate(args):
    print("briefings validate: not implemented yet")
    return 1
