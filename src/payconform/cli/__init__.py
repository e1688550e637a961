"""The command-line face: ``payconform`` and its subcommands, over the layers below."""
