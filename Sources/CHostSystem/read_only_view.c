/* Two views of the same pages (see check_host_system.h): the host writes the applications
 * through one, plugins read them through the other, which is read-only for good; nothing is
 * remapped or re-protected per batch. */
#define _GNU_SOURCE
#include "check_host_system.h"

#include <sys/mman.h>
#include <unistd.h>

int check_map_twice(size_t size, void **writable, const void **readable) {
    int fd = memfd_create("check-applications", MFD_CLOEXEC);
    if (fd < 0) return -1;
    if (ftruncate(fd, (off_t)size) != 0) {
        close(fd);
        return -1;
    }
    void *write_view = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *read_view = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (write_view == MAP_FAILED || read_view == MAP_FAILED) {
        if (write_view != MAP_FAILED) munmap(write_view, size);
        if (read_view != MAP_FAILED) munmap(read_view, size);
        return -1;
    }
    *writable = write_view;
    *readable = read_view;
    return 0;
}
