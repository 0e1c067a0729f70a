/* A minimal test harness: TEST(name) registers a function, CHECK records failures. */
#ifndef TRESOR_TEST_H
#define TRESOR_TEST_H

#include <stdio.h>

struct test_case {
    const char *name;
    void (*fn)(void);
    struct test_case *next;
};

extern int test_failures;
void test_register(struct test_case *t);

#define TEST(name)                                                                   \
    static void name(void);                                                          \
    static struct test_case name##_case = {#name, name, NULL};                       \
    __attribute__((constructor)) static void name##_register(void)                   \
    {                                                                                \
        test_register(&name##_case);                                                 \
    }                                                                                \
    static void name(void)

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            test_failures++;                                                         \
        }                                                                            \
    } while (0)

#define CHECK_RV(expr, want)                                                         \
    do {                                                                             \
        unsigned long got_ = (unsigned long)(expr);                                  \
        if (got_ != (unsigned long)(want)) {                                         \
            fprintf(stderr, "  %s:%d: %s returned 0x%lx, expected %s (0x%lx)\n", __FILE__, \
                    __LINE__, #expr, got_, #want, (unsigned long)(want));            \
            test_failures++;                                                         \
        }                                                                            \
    } while (0)

#endif
