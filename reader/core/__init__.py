"""The Qt-free core: posts, parsing, search and rendering shared by the CLI, tests and GUI."""
