/* Object handles (asyncabi/object.h): references counted in the slot word, the drop run once
 * after the last free, every misuse reported with its AA_MISUSES code (use after free, free
 * twice, wrong class, a handle this library never issued: another library's or forged, a
 * future's), the events an observer sees, clones and frees racing from threads (run under
 * TSan too), and the class limit. test_cross_library loads two real copies of the runtime. */
#include <pthread.h>
#include <string.h>

#include "handle_table.h"
#include "harness.h"

static _Atomic int drops;
static void count_drop(void *object)
{
    (void)object;
    atomic_fetch_add(&drops, 1);
}

static const aa_object_class megaphone = {.name = "Megaphone", .drop = count_drop};
static const aa_object_class parser = {.name = "Parser", .drop = count_drop};
static int megaphone_data = 7;

/* The observer: object events by op, and the code of the latest. */
static _Atomic int events[AA_OP_COUNT_];
static _Atomic int last_code;
static void observe(const aa_event *e, void *user_data)
{
    (void)user_data;
    atomic_fetch_add(&events[e->op], 1);
    if (e->op == AA_OP_OBJECT_NEW || e->op == AA_OP_OBJECT_CLONE || e->op == AA_OP_OBJECT_FREE) {
        CHECK(e->name != NULL);
        atomic_store(&last_code, e->code);
    }
}

/* The last misuse, refined by its op as an observer does. */
static aa_misuse_code refined_last;
static aa_op last_op;
static void misuse_hook(const aa_misuse *m, void *user_data)
{
    (void)user_data;
    CHECK(m->message != NULL && strstr(m->message, aa_misuse_name(m->code)) != NULL);
    refined_last = aa_misuse_refine(m->code, m->op);
    last_op = m->op;
}

#define EXPECT_MISUSE(call, code, op)                                                          \
    do {                                                                                       \
        refined_last = AA_MISUSE_NONE_;                                                        \
        call;                                                                                  \
        CHECK_EQ(refined_last, code);                                                          \
        CHECK_EQ(last_op, op);                                                                 \
    } while (0)

static void each_count(const aa_object_info *info, void *ctx)
{
    CHECK(info->cls == &megaphone || info->cls == &parser);
    CHECK(info->refs >= 1);
    CHECK_EQ(info->handle & 1, 0);
    *(int *)ctx += (int)info->refs;
}

/* --- Threads: clones and frees of one object, and clones racing its last free --- */
#define THREADS 4
static uint64_t shared;
static int rounds;

static void *clone_free_loop(void *arg)
{
    (void)arg;
    for (int i = 0; i < rounds; i++) {
        uint64_t c = aa_object_clone(&megaphone, shared);
        CHECK_EQ(c, shared);
        CHECK(aa_object_get(&megaphone, c, "loop") == &megaphone_data);
        aa_object_free(&megaphone, c);
    }
    return NULL;
}

static _Atomic uint64_t racing;
static _Atomic int failed_clones;
static void *clone_racing_free(void *arg)
{
    (void)arg;
    uint64_t h = atomic_load(&racing);
    uint64_t c = aa_object_clone(&megaphone, h);
    if (c == 0) {
        atomic_fetch_add(&failed_clones, 1); /* lost to the last free: reported, no effect */
    } else {
        aa_object_free(&megaphone, c); /* won: this free may be the last, and drops it */
    }
    return NULL;
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atoi(argv[1]) : 20000;
    /* Before any handle exists, as ASYNCABI_DEFINE_FFI's constructor does. */
    CHECK(aa_set_library_namespace("objects_test"));
    CHECK(aa_set_library_namespace("objects_test")); /* the same again: fine */
    aa_set_observer(observe, NULL);
    aa_set_misuse_hook(misuse_hook, NULL);

    /* --- the lifecycle: new, get, clone (the same handle), free, free (drops) --- */
    uint64_t h = aa_object_new(&megaphone, &megaphone_data);
    CHECK(h != 0);
    CHECK_EQ(h & 1, 0);
    CHECK(!aa_set_library_namespace("too_late")); /* a handle exists: refused */
    CHECK_EQ(atomic_load(&events[AA_OP_OBJECT_NEW]), 1);
    CHECK_EQ(aa_object_live_count(), 1);
    CHECK(aa_object_get(&megaphone, h, "say") == &megaphone_data);
    CHECK_EQ(aa_object_clone(&megaphone, h), h);
    CHECK_EQ(atomic_load(&last_code), 2); /* references now */
    int refs = 0;
    aa_object_each(each_count, &refs);
    CHECK_EQ(refs, 2);
    aa_object_free(&megaphone, h);
    CHECK_EQ(atomic_load(&last_code), 1); /* references left */
    CHECK_EQ(atomic_load(&drops), 0);
    aa_object_free(&megaphone, h);
    CHECK_EQ(atomic_load(&last_code), 0);
    CHECK_EQ(atomic_load(&drops), 1);
    CHECK_EQ(aa_object_live_count(), 0);
    CHECK_EQ(atomic_load(&events[AA_OP_OBJECT_FREE]), 2);
    CHECK_EQ(atomic_load(&events[AA_OP_OBJECT_USE]), 0); /* never an event */

    /* --- misuse after the last free, also once the slot holds another object --- */
    EXPECT_MISUSE(CHECK(aa_object_get(&megaphone, h, "say") == NULL),
                  AA_MISUSE_OBJECT_USE_AFTER_FREE, AA_OP_OBJECT_USE);
    EXPECT_MISUSE(CHECK_EQ(aa_object_clone(&megaphone, h), 0), AA_MISUSE_OBJECT_USE_AFTER_FREE,
                  AA_OP_OBJECT_CLONE);
    EXPECT_MISUSE(aa_object_free(&megaphone, h), AA_MISUSE_OBJECT_FREE_TWICE, AA_OP_OBJECT_FREE);
    uint64_t again = aa_object_new(&megaphone, &megaphone_data);
    CHECK(aa__handle_slot(again) == aa__handle_slot(h)); /* this thread's cache: LIFO */
    CHECK(again != h);
    EXPECT_MISUSE(aa_object_free(&megaphone, h), AA_MISUSE_OBJECT_FREE_TWICE, AA_OP_OBJECT_FREE);
    CHECK(aa_object_get(&megaphone, again, NULL) == &megaphone_data); /* untouched */
    CHECK_EQ(atomic_load(&drops), 1);

    /* --- the wrong class, a future, an odd handle, 0, a handle of the wrong kind --- */
    EXPECT_MISUSE(CHECK(aa_object_get(&parser, again, "parse") == NULL),
                  AA_MISUSE_INVALID_HANDLE, AA_OP_OBJECT_USE);
    EXPECT_MISUSE(aa_object_free(&parser, again), AA_MISUSE_INVALID_HANDLE, AA_OP_OBJECT_FREE);
    uint64_t p = aa_object_new(&parser, NULL);
    CHECK(p != 0 && ((p >> 52) & 0xF) != ((again >> 52) & 0xF)); /* another class number */
    EXPECT_MISUSE(CHECK_EQ(aa_object_clone(&megaphone, p), 0), AA_MISUSE_INVALID_HANDLE,
                  AA_OP_OBJECT_CLONE);
    aa_object_free(&parser, p);
    /* A stale handle of another class is still the wrong class first. */
    EXPECT_MISUSE(aa_object_free(&megaphone, p), AA_MISUSE_INVALID_HANDLE, AA_OP_OBJECT_FREE);
    uint64_t f = aa_future_new_ready(AA_TYPE_U64, (aa_value){.u64 = 1});
    EXPECT_MISUSE(aa_object_free(&megaphone, f), AA_MISUSE_INVALID_HANDLE, AA_OP_OBJECT_FREE);
    EXPECT_MISUSE(aa_future_free(AA_TYPE_U64, again), AA_MISUSE_INVALID_HANDLE, AA_OP_FREE);
    aa_future_free(AA_TYPE_U64, f);
    EXPECT_MISUSE(aa_object_get(&megaphone, again | 1, "say"), AA_MISUSE_INVALID_HANDLE,
                  AA_OP_OBJECT_USE);
    EXPECT_MISUSE(aa_object_free(&megaphone, 0), AA_MISUSE_INVALID_HANDLE, AA_OP_OBJECT_FREE);
    CHECK(aa_object_get(&megaphone, again, NULL) == &megaphone_data);

    /* --- another library's handle: a generation this library's slot never issued (its seed
     * is elsewhere, R51), ahead of the slot's or behind its first (this library's seed).
     * Here forged from ours; test_cross_library gets a real one. --- */
    uint64_t gen_field = (uint64_t)AA__GEN_MASK << AA__GEN_SHIFT;
    uint64_t foreign = (again & ~gen_field) |
                       ((again + ((uint64_t)1 << (AA__GEN_SHIFT + AA__GEN_BITS - 2))) & gen_field);
    EXPECT_MISUSE(aa_object_free(&megaphone, foreign), AA_MISUSE_INVALID_HANDLE,
                  AA_OP_OBJECT_FREE);
    foreign = (again & ~gen_field) | ((again - ((uint64_t)1 << (AA__GEN_SHIFT + 20))) & gen_field);
    EXPECT_MISUSE(aa_object_free(&megaphone, foreign), AA_MISUSE_INVALID_HANDLE,
                  AA_OP_OBJECT_FREE);
    EXPECT_MISUSE(CHECK(aa_object_get(&megaphone, foreign, "say") == NULL),
                  AA_MISUSE_INVALID_HANDLE, AA_OP_OBJECT_USE);
    /* One generation back, in this library's window: one of ours, freed. */
    uint64_t behind = (again & ~gen_field) | ((again - ((uint64_t)1 << AA__GEN_SHIFT)) & gen_field);
    EXPECT_MISUSE(aa_object_free(&megaphone, behind), AA_MISUSE_OBJECT_FREE_TWICE,
                  AA_OP_OBJECT_FREE);
    CHECK(aa_object_get(&megaphone, again, NULL) == &megaphone_data);

    /* --- the reference count's width: the clone past it is refused, nothing changes --- */
    aa__slot *slot = aa__handle_slot(again);
    atomic_fetch_add(&slot->word, (uint64_t)(AA__REFS_MAX - 1) << AA__REFS_SHIFT);
    EXPECT_MISUSE(CHECK_EQ(aa_object_clone(&megaphone, again), 0), AA_MISUSE_INVALID_HANDLE,
                  AA_OP_OBJECT_CLONE);
    atomic_fetch_sub(&slot->word, (uint64_t)(AA__REFS_MAX - 1) << AA__REFS_SHIFT);
    aa_object_free(&megaphone, again);
    CHECK_EQ(atomic_load(&drops), 3); /* megaphone twice, parser once */
    CHECK_EQ(aa_object_live_count(), 0);

    /* --- threads: clone/get/free loops on one object, then its last free --- */
    aa_set_misuse_hook(NULL, NULL);
    th_misuse_install(); /* counts, from any thread */
    shared = aa_object_new(&megaphone, &megaphone_data);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&t[i], NULL, clone_free_loop, NULL) == 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
    }
    CHECK_EQ(th_misuse_total(), 0);
    CHECK_EQ(atomic_load(&drops), 3);
    aa_object_free(&megaphone, shared);
    CHECK_EQ(atomic_load(&drops), 4);

    /* --- clones racing the last free: each either took a reference first (and its free
     * drops) or was reported; the object is dropped exactly once, never resurrected --- */
    int race_rounds = rounds / 100 + 5;
    for (int r = 0; r < race_rounds; r++) {
        atomic_store(&racing, aa_object_new(&megaphone, &megaphone_data));
        for (int i = 0; i < THREADS; i++) {
            CHECK(pthread_create(&t[i], NULL, clone_racing_free, NULL) == 0);
        }
        aa_object_free(&megaphone, atomic_load(&racing));
        for (int i = 0; i < THREADS; i++) {
            pthread_join(t[i], NULL);
        }
        CHECK_EQ(atomic_load(&drops), 5 + r);
    }
    CHECK_EQ(th_misuse_count(AA_MISUSE_STALE_HANDLE), atomic_load(&failed_clones));
    CHECK_EQ(th_misuse_total(), atomic_load(&failed_clones));
    CHECK_EQ(aa_object_live_count(), 0);

    /* --- at most 15 classes per library --- */
    static aa_object_class many[AA_OBJECT_CLASSES_MAX];
    unsigned registered = 2; /* megaphone, parser */
    for (int i = 0; i < AA_OBJECT_CLASSES_MAX; i++) {
        many[i].name = "Many";
        unsigned id = aa_object_class_register(&many[i]);
        if (registered < AA_OBJECT_CLASSES_MAX) {
            CHECK_EQ(id, ++registered);
        } else {
            CHECK_EQ(id, 0);
            CHECK_EQ(aa_object_new(&many[i], NULL), 0);
        }
    }
    CHECK_EQ(aa_object_class_register(&parser), 2); /* the same number on every call */

    th_check_no_leaks();
    printf("ok (%d failed clones of %d racing)\n", atomic_load(&failed_clones),
           race_rounds * THREADS);
    return 0;
}
