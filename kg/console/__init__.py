"""The terminal side of the command line that is not click's: progress bars, how loud kg talks, and the
examples every command's help ends with. ``kg.cli`` stays the only module that imports click."""
