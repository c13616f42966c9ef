/* parse_floor: the cost every libclang tool pays before it looks at anything.
 *
 * One process, one CXIndex; parses each file once with clang_parseTranslationUnit2 (the same
 * options asyncabi-check uses: KeepGoing) and the same clang arguments, then disposes it.
 * usage: parse_floor [-j N] CLANG_ARGS... -- FILE...
 * With -j N, N threads each with their own CXIndex (as asyncabi-check --jobs N).
 */
#include <clang-c/Index.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct work {
    const char *const *args;
    int nargs;
    char **files;
    int nfiles;
    atomic_int next;
    atomic_int failed;
} work;

static void *run(void *arg)
{
    work *w = arg;
    CXIndex idx = clang_createIndex(0, 0);
    for (;;) {
        int i = atomic_fetch_add(&w->next, 1);
        if (i >= w->nfiles) {
            break;
        }
        CXTranslationUnit tu = NULL;
        enum CXErrorCode ec = clang_parseTranslationUnit2(idx, w->files[i], w->args, w->nargs,
                                                          NULL, 0, CXTranslationUnit_KeepGoing, &tu);
        if (ec != CXError_Success || !tu) {
            atomic_fetch_add(&w->failed, 1);
            continue;
        }
        clang_disposeTranslationUnit(tu);
    }
    clang_disposeIndex(idx);
    return NULL;
}

int main(int argc, char **argv)
{
    int jobs = 1, first = 1;
    if (argc > 2 && !strcmp(argv[1], "-j")) {
        jobs = atoi(argv[2]);
        first = 3;
    }
    int sep = -1;
    for (int i = first; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            sep = i;
            break;
        }
    }
    if (sep < 0 || jobs < 1 || jobs > 64) {
        fprintf(stderr, "usage: parse_floor [-j N] CLANG_ARGS... -- FILE...\n");
        return 2;
    }
    work w;
    w.args = (const char *const *)argv + first;
    w.nargs = sep - first;
    w.files = argv + sep + 1;
    w.nfiles = argc - sep - 1;
    atomic_init(&w.next, 0);
    atomic_init(&w.failed, 0);
    pthread_t th[64];
    for (int i = 1; i < jobs; i++) {
        pthread_create(&th[i], NULL, run, &w);
    }
    run(&w);
    for (int i = 1; i < jobs; i++) {
        pthread_join(th[i], NULL);
    }
    printf("parsed %d files, %d failed\n", w.nfiles, atomic_load(&w.failed));
    return atomic_load(&w.failed) ? 1 : 0;
}
