/* Two libraries in one process, each with its own copy of the runtime (as two fixture
 * libraries are, each linking it statically with its symbols hidden): a handle one issued is
 * rejected by the other as invalid-handle (R51), objects and futures alike, because each
 * seeds its generations with its namespace (aa_set_library_namespace). Without namespaces
 * both start at generation 1 and the first handles of the two are the same number: the
 * control at the end shows that the other library would then take it for its own.
 *
 * Usage: test_cross_library PATH-TO-libasyncabi.so (loaded as copies, so that each is a
 * library of its own).
 */
#define _GNU_SOURCE /* mkstemp under -std=c11 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h" /* CHECK only: this test links no runtime, it dlopen()s copies */

typedef struct runtime {
    void *lib;
    bool (*set_namespace)(const char *ns);
    void (*set_misuse_hook)(aa_misuse_hook hook, void *user_data);
    uint64_t (*object_new)(const aa_object_class *cls, void *object);
    void *(*object_get)(const aa_object_class *cls, uint64_t handle, const char *use);
    void (*object_free)(const aa_object_class *cls, uint64_t handle);
    uint64_t (*future_new_ready)(aa_type type, aa_value value);
    void (*future_free)(aa_type type, uint64_t handle);
    const char *(*misuse_name)(aa_misuse_code code);
    int misuses[AA_MISUSE_COUNT_];
} runtime;

static void on_misuse(const aa_misuse *m, void *user_data)
{
    runtime *rt = user_data;
    CHECK(m->code > 0 && m->code < AA_MISUSE_COUNT_);
    rt->misuses[m->code]++;
}

/* Copies the library to a file of its own and loads that: dlopen() of one path twice would
 * return the same library. */
static void load(runtime *rt, const char *path)
{
    char copy[] = "/tmp/asyncabi_cross_XXXXXX";
    int out = mkstemp(copy);
    CHECK(out >= 0);
    FILE *in = fopen(path, "rb");
    CHECK(in != NULL);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        CHECK(write(out, buf, n) == (ssize_t)n);
    }
    fclose(in);
    close(out);
    memset(rt, 0, sizeof *rt);
    rt->lib = dlopen(copy, RTLD_NOW | RTLD_LOCAL);
    unlink(copy);
    if (rt->lib == NULL) {
        fprintf(stderr, "test_cross_library: %s\n", dlerror());
        exit(1);
    }
#define SYM(field, name) CHECK((*(void **)&rt->field = dlsym(rt->lib, name)) != NULL)
    SYM(set_namespace, "aa_set_library_namespace");
    SYM(set_misuse_hook, "aa_set_misuse_hook");
    SYM(object_new, "aa_object_new");
    SYM(object_get, "aa_object_get");
    SYM(object_free, "aa_object_free");
    SYM(future_new_ready, "aa_future_new_ready");
    SYM(future_free, "aa_future_free");
    SYM(misuse_name, "aa_misuse_name");
#undef SYM
    rt->set_misuse_hook(on_misuse, rt);
}

static int total(const runtime *rt)
{
    int n = 0;
    for (int i = 0; i < AA_MISUSE_COUNT_; i++) {
        n += rt->misuses[i];
    }
    return n;
}

static const aa_object_class megaphone = {.name = "Megaphone", .drop = NULL};
static int data_a, data_b;

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-libasyncabi.so\n", argv[0]);
        return 2;
    }
    runtime a, b;
    load(&a, argv[1]);
    load(&b, argv[1]);
    CHECK(a.object_new != b.object_new); /* two copies of the runtime */
    CHECK(a.set_namespace("alpha"));
    CHECK(b.set_namespace("beta"));

    /* The same class, registered first in both: the same class number in both handles. */
    uint64_t oa = a.object_new(&megaphone, &data_a);
    uint64_t ob = b.object_new(&megaphone, &data_b);
    CHECK(oa != 0 && ob != 0 && oa != ob);
    CHECK(b.object_get(&megaphone, oa, "say") == NULL);
    CHECK_EQ(b.misuses[AA_MISUSE_INVALID_HANDLE], 1);
    b.object_free(&megaphone, oa);
    CHECK_EQ(b.misuses[AA_MISUSE_INVALID_HANDLE], 2);
    CHECK(a.object_get(&megaphone, ob, "say") == NULL);
    CHECK_EQ(a.misuses[AA_MISUSE_INVALID_HANDLE], 1);
    CHECK(a.object_get(&megaphone, oa, "say") == &data_a); /* each its own still works */
    CHECK(b.object_get(&megaphone, ob, "say") == &data_b);

    /* Futures too: the other library's free of it is rejected and changes nothing. */
    uint64_t fa = a.future_new_ready(AA_TYPE_U32, (aa_value){.u32 = 1});
    b.future_free(AA_TYPE_U32, fa);
    CHECK_EQ(b.misuses[AA_MISUSE_INVALID_HANDLE], 3);
    a.future_free(AA_TYPE_U32, fa);
    a.object_free(&megaphone, oa);
    b.object_free(&megaphone, ob);
    CHECK_EQ(total(&a), 1);
    CHECK_EQ(total(&b), 3);

    /* The control: two copies without namespaces issue the same first handles, so the other
     * library cannot tell them from its own (what the seeds prevent). */
    runtime c, d;
    load(&c, argv[1]);
    load(&d, argv[1]);
    uint64_t oc = c.object_new(&megaphone, &data_a);
    uint64_t od = d.object_new(&megaphone, &data_b);
    CHECK_EQ(oc, od);
    CHECK(d.object_get(&megaphone, oc, "say") == &data_b);
    c.object_free(&megaphone, oc);
    d.object_free(&megaphone, od);
    CHECK_EQ(total(&c) + total(&d), 0);
    printf("ok: alpha 0x%llx, beta 0x%llx; unseeded both 0x%llx\n", (unsigned long long)oa,
           (unsigned long long)ob, (unsigned long long)oc);
    return 0;
}
