/* Shared facts: lock calls, callback invocations, release and blocking functions, reachability. */
#include "rules/common.h"

#include "flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int in_list(const char *name, const char *const *list)
{
    for (; *list; list++) {
        if (!strcmp(name, *list)) {
            return 1;
        }
    }
    return 0;
}

static const char *const lock_fns[] = {"pthread_mutex_lock", "pthread_spin_lock", "mtx_lock",
                                       "pthread_rwlock_rdlock", "pthread_rwlock_wrlock", NULL};
static const char *const unlock_fns[] = {"pthread_mutex_unlock", "pthread_spin_unlock",
                                         "mtx_unlock", "pthread_rwlock_unlock", NULL};

int aac_lock_call(aac_tu *t, CXCursor call, const char *callee, char **key)
{
    int kind = in_list(callee, lock_fns) ? 1 : in_list(callee, unlock_fns) ? -1 : 0;
    const char *suffix = "";
    if (!kind) {
        aac_func *g = aac_tu_func(t, callee);
        if (!g || !g->lock_kind) {
            return 0;
        }
        kind = g->lock_kind;
        suffix = g->lock_suffix;
    }
    if (clang_Cursor_getNumArguments(call) < 1) {
        *key = strdup(callee); /* a lock with no argument: the function names it */
        return kind;
    }
    char *base = aac_place_key(t->tu, clang_Cursor_getArgument(call, 0));
    size_t n = strlen(base) + strlen(suffix) + 1;
    *key = malloc(n);
    snprintf(*key, n, "%s%s", base, suffix);
    free(base);
    return kind;
}

static const char *const trylock_fns[] = {"pthread_mutex_trylock", "pthread_spin_trylock",
                                          "mtx_trylock", "pthread_rwlock_tryrdlock",
                                          "pthread_rwlock_trywrlock", NULL};

int aac_trylock_cond(aac_tu *t, CXCursor cond, char **key)
{
    CXCursor c = aac_strip(cond);
    int negated = 0;
    CXCursor k[2];
    if (c.kind == CXCursor_UnaryOperator && aac_children(c, k, 2) == 1) {
        c = aac_strip(k[0]);
        negated = 1; /* !trylock(): held in the then-branch */
    } else if (c.kind == CXCursor_BinaryOperator && aac_children(c, k, 2) == 2) {
        long long v;
        if (!aac_const_int(k[1], &v) || v != 0) {
            return 0;
        }
        char *text = aac_text(t->tu, c);
        int eq = strstr(text, "==") != NULL, ne = strstr(text, "!=") != NULL;
        free(text);
        if (!eq && !ne) {
            return 0;
        }
        negated = eq;
        c = aac_strip(k[0]);
    } else {
        return 0; /* `if (trylock(&m))`: held in the else-branch */
    }
    if (c.kind != CXCursor_CallExpr || clang_Cursor_getNumArguments(c) < 1) {
        return 0;
    }
    char *callee = aac_callee_name(c, NULL);
    int ok = in_list(callee, trylock_fns);
    free(callee);
    if (!ok) {
        return 0;
    }
    *key = aac_place_key(t->tu, clang_Cursor_getArgument(c, 0));
    return negated ? 1 : -1;
}

void aac_trylock_branch(aac_flow *fl, CXCursor cond, aac_state *then_st, aac_state *else_st)
{
    char *key = NULL;
    int r = aac_trylock_cond(fl->t, cond, &key);
    if (r) {
        aac_item *it = aac_state_put(r > 0 ? then_st : else_st, key, cond);
        it->may = it->must = 1;
    }
    free(key);
}

int aac_callback_call(CXCursor call, const char *callee, int direct, char *what, size_t sz)
{
    if (direct) {
        if (!strcmp(callee, "aa_waker_wake") || !strcmp(callee, "aa_waker_wake_and_release")) {
            snprintf(what, sz, "'%s' (which runs the stored continuation)", callee);
            return 1;
        }
        return 0;
    }
    CXCursor d = clang_getCursorReferenced(call);
    if (clang_Cursor_isNull(d)) {
        return 0;
    }
    CXType ty = clang_getCursorType(d);
    const char *kind = NULL;
    if (aac_type_is_continuation(ty)) {
        kind = "continuation";
    } else if (aac_type_is_foreign_complete(ty)) {
        kind = "foreign complete callback";
    } else {
        CXString ts = clang_getTypeSpelling(ty);
        const char *s = clang_getCString(ts);
        if (strstr(s, "DroppedCallback") || strstr(s, "ForeignFutureFree")) {
            kind = "dropped callback";
        }
        clang_disposeString(ts);
        if (!kind && d.kind == CXCursor_FieldDecl) {
            char *rn = aac_record_name(clang_getCursorType(clang_getCursorSemanticParent(d)));
            if (rn && (strstr(rn, "DroppedCallbackStruct") || !strcmp(rn, "UniffiForeignFuture"))) {
                kind = "dropped callback";
            }
            free(rn);
        }
    }
    if (!kind) {
        return 0;
    }
    snprintf(what, sz, "%s '%s'", kind, callee);
    return 1;
}

int aac_release_fn(const char *name, int memory_too)
{
    static const char *const memory[] = {"free", "aa_future_free", "munmap", NULL};
    static const char *const others[] = {"close", "fclose", "pclose", "closedir", "sem_post",
                                         "freeaddrinfo", "aa_waker_release", "pthread_mutex_destroy",
                                         "pthread_cond_destroy", "sem_destroy", "mtx_destroy",
                                         "cnd_destroy", "timer_delete", NULL};
    if (memory_too && in_list(name, memory)) {
        return 1;
    }
    if (in_list(name, others)) {
        return 1;
    }
    size_t l = strlen(name);
    static const char *const suffixes[] = {"_release", "_destroy", "_close", "_unref", "_put",
                                           NULL};
    for (int i = 0; suffixes[i]; i++) {
        size_t sl = strlen(suffixes[i]);
        if (l > sl && !strcmp(name + l - sl, suffixes[i])) {
            return 1;
        }
    }
    if (memory_too && l > 5 && !strcmp(name + l - 5, "_free")) {
        return 1;
    }
    return 0;
}

int aac_blocking_fn(const char *name)
{
    static const char *const fns[] = {
        "sleep", "usleep", "nanosleep", "clock_nanosleep", "thrd_sleep", "pthread_join",
        "thrd_join", "pthread_cond_wait", "pthread_cond_timedwait", "cnd_wait", "cnd_timedwait",
        "sem_wait", "sem_timedwait", "sem_clockwait", "pthread_barrier_wait", "read", "recv",
        "recvfrom", "recvmsg", "accept", "accept4", "connect", "poll", "ppoll", "select",
        "pselect", "epoll_wait", "epoll_pwait", "fgets", "fgetc", "getc", "getchar", "fread",
        "scanf", "fscanf", "getline", "getdelim", "gets", "system", "popen", "wait", "waitpid",
        "waitid", "flock", "lockf", "sigwait", "sigsuspend", "pause", "getaddrinfo",
        "gethostbyname", "msgrcv", "mq_receive", "fsync", "fdatasync", "sync", NULL};
    return in_list(name, fns);
}

size_t aac_mark_reachable(aac_tu *t, unsigned roles, unsigned stop, unsigned stamp)
{
    size_t *stack = malloc((t->nfuncs + 1) * sizeof *stack);
    size_t sp = 0, marked = 0;
    for (size_t i = 0; i < t->nfuncs; i++) {
        if (t->funcs[i].roles & roles) {
            t->funcs[i].mark = stamp;
            stack[sp++] = i;
            marked++;
        }
    }
    while (sp > 0) {
        aac_func *f = &t->funcs[stack[--sp]];
        for (size_t j = 0; j < f->ncalls; j++) {
            if (!f->calls[j].direct) {
                continue;
            }
            aac_func *g = aac_tu_func(t, f->calls[j].callee);
            if (g && g->mark != stamp && !(g->roles & stop)) {
                g->mark = stamp;
                stack[sp++] = (size_t)(g - t->funcs);
                marked++;
            }
        }
    }
    free(stack);
    return marked;
}

const char *aac_key_leaf(const char *key)
{
    const char *dot = strrchr(key, '.');
    return dot ? dot + 1 : key;
}

CXCursor aac_body(CXCursor fn)
{
    CXCursor k[64];
    int n = aac_children(fn, k, 64);
    if (n > 0 && n <= 64 && k[n - 1].kind == CXCursor_CompoundStmt) {
        return k[n - 1];
    }
    return clang_getNullCursor();
}
