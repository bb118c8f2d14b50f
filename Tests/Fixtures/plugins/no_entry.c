/* A shared library that is not a check plugin: it has no check_plugin_entry symbol. */
int some_other_function(void) { return 42; }
