/* Not a plugin: a library whose constructor appends "ran" to the file named by MARKER (a -D
 * define), so a test knows its code ran. Built as the wrong bytes a swapper slips in, and as
 * the library a plugin depends on. */
#include <fcntl.h>
#include <unistd.h>
#ifndef MARKER
#error "compile with -DMARKER='\"/path/of/the/marker\"'"
#endif
__attribute__((constructor)) static void ran(void) {
    int fd = open(MARKER, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd >= 0) { (void)!write(fd, "ran\n", 4); close(fd); }
}
int marker_dependency_value(void) { return 42; }
