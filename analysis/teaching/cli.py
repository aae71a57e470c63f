"""Placeholder: being written."""


def add_arguments_teach(parser):
    pass


def run_teach(args):
    print("briefings teach: not implemented yet")
    return 1
