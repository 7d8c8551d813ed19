/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "frame-table-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

char *
e2c_ftab_file_dir(void)
{
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    char *dir = NULL;
    int n = runtime && runtime[0] == '/' ? asprintf(&dir, "%s/e2call", runtime)
                                         : asprintf(&dir, "/dev/shm/e2call-%u", (unsigned)getuid());
    return n < 0 ? NULL : dir;
}

/* The private directory, opened (made first if missing); -1 with *why. */
static int
open_dir(const char **why)
{
    char *dir = e2c_ftab_file_dir();
    if (!dir) {
        *why = "out of memory";
        return -1;
    }
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        free(dir);
        *why = "cannot make the directory";
        return -1;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    free(dir);
    if (fd < 0) {
        *why = "cannot open the directory (or it is a symbolic link)";
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_uid != getuid() || (st.st_mode & 077)) {
        close(fd);
        *why = "the directory is not the user's own, or others may enter it";
        return -1;
    }
    return fd;
}

struct e2c_ftab *
e2c_ftab_file_map(const char **why)
{
    int dfd = open_dir(why);
    if (dfd < 0)
        return NULL;
    int fd = openat(dfd, "frame-times", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    close(dfd);
    if (fd < 0) {
        *why = "cannot open the file";
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
        close(fd);
        *why = "the file is not the user's own regular file, or others may read it";
        return NULL;
    }
    /* A new file (size 0) grows to the table, zeroed; any other size is another layout. */
    if (st.st_size == 0 && ftruncate(fd, (off_t)E2C_FTAB_SIZE) < 0) {
        close(fd);
        *why = "cannot size the file";
        return NULL;
    }
    if (st.st_size != 0 && (size_t)st.st_size != E2C_FTAB_SIZE) {
        close(fd);
        *why = "the file has another size (another version of e2call made it)";
        return NULL;
    }
    void *map = mmap(NULL, E2C_FTAB_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        *why = "cannot map the file";
        return NULL;
    }
    struct e2c_ftab *t = map;
    /* Two processes making it at once both write the same header. */
    e2c_ftab_init(t);
    if (!e2c_ftab_valid(t)) {
        munmap(map, E2C_FTAB_SIZE);
        *why = "the file holds another layout";
        return NULL;
    }
    return t;
}
