/* A library built on the runtime is unloaded while a thread that used it lives on.
 *
 * A thread that frees a handle keeps the slot in its own cache and arms a flush for when it
 * exits. If the library is unmapped first (ruby-ffi closes its libraries at interpreter exit,
 * before Ruby's cached native threads end), that flush must not be called at an address that
 * is gone: before the fix, this test died of SIGSEGV in the exiting thread.
 *
 * Usage: test_unload PATH-TO-libasyncabi.so
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h" /* CHECK only: this test links no runtime, it dlopen()s one */

typedef uint64_t (*new_ready_fn)(aa_type type, aa_value value);
typedef void (*free_fn)(aa_type type, uint64_t handle);

static void *library;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stage; /* 1: the thread used the runtime; 2: the library was closed */

static void advance_to(int next)
{
    pthread_mutex_lock(&mu);
    stage = next;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void wait_for(int wanted)
{
    pthread_mutex_lock(&mu);
    while (stage < wanted) {
        pthread_cond_wait(&cv, &mu);
    }
    pthread_mutex_unlock(&mu);
}

static void *user_thread(void *unused)
{
    (void)unused;
    new_ready_fn new_ready = (new_ready_fn)dlsym(library, "aa_future_new_ready");
    free_fn free_future = (free_fn)dlsym(library, "aa_future_free");
    CHECK(new_ready != NULL && free_future != NULL);
    for (int i = 0; i < 4; i++) { /* frees put slots in this thread's cache, arming its flush */
        uint64_t h = new_ready(AA_TYPE_U32, (aa_value){.u32 = (uint32_t)i});
        CHECK(h != 0);
        free_future(AA_TYPE_U32, h);
    }
    advance_to(1);
    wait_for(2);
    return NULL; /* the thread's exit runs the flush */
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH-TO-libasyncabi.so\n", argv[0]);
        return 2;
    }
    library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fprintf(stderr, "test_unload: %s\n", dlerror());
        return 1;
    }
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, user_thread, NULL) == 0);
    wait_for(1);
    CHECK(dlclose(library) == 0);
    advance_to(2);
    CHECK(pthread_join(thread, NULL) == 0);
    printf("test_unload: a thread outlived the library it used and exited cleanly\n");
    return 0;
}
