/* Buffers that may hold key material or plaintext. */
#include "tresor.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void tresor_free_wiped(void *p, size_t n)
{
    if (!p)
        return;
    OPENSSL_cleanse(p, n);
    free(p);
}

uint8_t *secure_alloc(size_t n, size_t *mapped)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t size = n == 0 ? page : (n + page - 1) / page * page;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* Best effort: RLIMIT_MEMLOCK may be small; the wipe on free does not depend on it. */
    (void)mlock(p, size);
    (void)madvise(p, size, MADV_DONTDUMP);
    (void)madvise(p, size, MADV_WIPEONFORK);
    *mapped = size;
    return p;
}

void secure_free(uint8_t *p, size_t mapped)
{
    if (!p)
        return;
    OPENSSL_cleanse(p, mapped);
    munlock(p, mapped);
    munmap(p, mapped);
}

void pad_copy(CK_UTF8CHAR *dst, size_t dst_len, const char *src)
{
    memset(dst, ' ', dst_len);
    size_t n = strlen(src);
    memcpy(dst, src, n < dst_len ? n : dst_len);
}
