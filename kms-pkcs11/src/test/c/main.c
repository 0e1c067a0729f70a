#include "test.h"

#include <string.h>

int test_failures;
static struct test_case *head;

void test_register(struct test_case *t)
{
    t->next = head;
    head = t;
}

int main(int argc, char **argv)
{
    int run = 0, failed = 0;
    for (struct test_case *t = head; t; t = t->next) {
        if (argc > 1 && !strstr(t->name, argv[1]))
            continue;
        int before = test_failures;
        t->fn();
        run++;
        if (test_failures != before) {
            failed++;
            fprintf(stderr, "FAIL %s\n", t->name);
        }
    }
    printf("%d C tests, %d failed\n", run, failed);
    return failed == 0 && run > 0 ? 0 : 1;
}
